// The status bar: connection, role (with take-over), the car's link, motion, last command and byte,
// latency. Changes that matter to someone who cannot see the bar (connection, role, link) are also
// spoken through a polite live region; the latency, which changes every two seconds, is not.
// It never shows a stale car: without a connection (or before the first state) the car's fields say
// they are unknown, and while the car's link is down so is its motion (the car holds its last byte).

import { hex } from './bytes.js';
import type { ConnectionState } from './connection.js';
import type { ErrorMessage, NoticeMessage, QueueMessage, RaceMessage, Role, VehicleState } from './messages.js';
import { describeQueue } from './queue-text.js';

const ERROR_TEXT: Record<ErrorMessage['code'], string> = {
  bad_json: 'The server could not read a message from this page.',
  invalid_message: 'The server refused a message',
  not_driver: 'You are watching: take over to drive.',
  unauthorized: 'Driving needs the right access token.',
  rate_limited: 'Too many commands at once: some were dropped.',
  binary_unsupported: 'The server takes text messages only.',
  link_down: 'The car is not connected: the command was dropped.',
  seat_taken: 'Someone else is driving. You can take over once they have been idle for a while.',
  resume_failed: 'Your seat could not be given back: it has passed to someone else.',
  camera_taken: 'This car already has a camera.',
  unknown_peer: 'A video message went to nobody.',
  held: 'The car is held for the start of the race: drive at GO.',
  race_state: 'The race could not do that',
  unknown_car: 'There is no car of that name.',
  no_best_lap: 'No best lap to race',
  ghost_refused: 'The ghost could not start',
};
/** Codes whose message from the server says what to do, after the page's words. */
const DETAILED: ReadonlySet<ErrorMessage['code']> = new Set(['invalid_message', 'race_state', 'no_best_lap', 'ghost_refused']);

function el<T extends HTMLElement>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`status bar: missing ${selector}`);
  return found;
}

/**
 * What a notice says that can stop being true before its 5 s are up, so it goes then: `countdown`, the car
 * is held for a race's start (until go, or the race is called off); `seat`, someone else has the seat
 * (until it is this page's, or free).
 */
type NoticeTruth = 'countdown' | 'seat' | null;
const SEAT_ERRORS: ReadonlySet<ErrorMessage['code']> = new Set(['seat_taken', 'not_driver']);

export class StatusBar {
  private readonly conn: HTMLElement;
  private readonly role: HTMLElement;
  private readonly takeOver: HTMLButtonElement;
  private readonly release: HTMLButtonElement;
  private readonly link: HTMLElement;
  private readonly motion: HTMLElement;
  private readonly last: HTMLElement;
  private readonly latencyEl: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly notice: HTMLElement;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeTruth: NoticeTruth = null;
  private racePhase: RaceMessage['phase'] = 'none';
  private readonly spoken = new Map<string, string>();
  private myRole: Role | null = null;
  private mayClaim = false;
  private seatEmpty = false;
  private reserved = false;
  private watching = 0;
  /** Where this page stands for the seat (null: not told, an older server: Take over as before). */
  private place: QueueMessage | null = null;
  private idleTakeoverMs = 0;
  private readonly takeOverWhen: HTMLElement;

  constructor(root: ParentNode, seat: { claim(): void; release(): void }) {
    this.conn = el(root, '#st-conn');
    this.role = el(root, '#st-role');
    this.takeOver = el(root, '#take-over');
    this.takeOverWhen = el(root, '#take-over-when');
    this.release = el(root, '#release');
    this.link = el(root, '#st-link');
    this.motion = el(root, '#st-motion');
    this.last = el(root, '#st-last');
    this.latencyEl = el(root, '#st-latency');
    this.announcer = el(root, '#announcer');
    this.notice = el(root, '#notice');
    this.takeOver.addEventListener('click', () => seat.claim());
    this.release.addEventListener('click', () => seat.release());
    this.carUnknown();
  }

  connection(state: ConnectionState, retryInMs?: number): void {
    const text = state === 'open' ? 'connected'
      : state === 'connecting' ? 'connecting…'
      : retryInMs !== undefined ? `reconnecting in ${Math.ceil(retryInMs / 1000)} s`
      : 'reconnecting…';
    this.set(this.conn, text, state);
    this.announce('connection', state === 'open' ? 'Connected to the server.' : state === 'reconnecting' ? 'Connection lost, reconnecting.' : '');
    if (state !== 'open') {
      this.myRole = null;
      this.place = null;
      this.set(this.role, '–', 'none');
      this.renderSeatButtons();
      this.carUnknown();
    }
  }

  /** `mayClaim`: false while a token is needed and not given (a claim would be refused). */
  roleChanged(role: Role, mayClaim: boolean): void {
    this.myRole = role;
    this.mayClaim = mayClaim;
    if (role === 'driver') this.noticeNoLonger('seat');
    this.renderRole();
    this.renderSeatButtons();
    this.announce('role', role === 'driver' ? 'You are driving.'
      : mayClaim ? 'You are watching. Use Take over to drive.' : 'You are watching. Enter the access token to drive.');
  }

  /** From `welcome`: how long a driver must be idle before a take-over succeeds. */
  limits(idleTakeoverMs: number): void {
    this.idleTakeoverMs = idleTakeoverMs;
  }

  /** Where this page stands for the seat: its place in the line, who is ahead, whether Take over works now. */
  queue(place: QueueMessage): void {
    const opened = place.takeover && this.place?.takeover === false && this.myRole === 'spectator';
    this.place = place;
    this.renderRole();
    this.renderSeatButtons();
    if (opened) this.announce('role', 'You can take over now.');
  }

  vehicle(state: VehicleState): void {
    this.seatEmpty = state.driver === null;
    this.reserved = state.reserved === true;
    if (this.seatEmpty && !this.reserved) this.noticeNoLonger('seat');
    this.watching = state.spectators;
    this.renderRole();
    this.renderSeatButtons();
    if (this.reserved && this.myRole === 'spectator') this.announce('role', 'The seat is held for the driver, who is reconnecting.');
    this.set(this.link, state.link, state.link);
    this.announce('link', `Car link ${state.link}.`);
    if (state.link !== 'connected') {
      this.set(this.motion, `unknown (car link ${state.link})`, 'unknown');
    } else {
      this.set(this.motion, state.direction === 'stop' ? 'stopped' : `${state.direction} · speed ${state.speed}`, state.direction);
    }
    const last = [state.lastCommand, state.byte === null ? null : hex(state.byte)].filter((p) => p !== null).join(' · ');
    this.set(this.last, last || '–', state.lastCommand ?? 'none');
  }

  /** What the server wants the user to know (a hold shortened to its limit, the car stopped by someone
   *  else): in its own words. */
  serverNotice(notice: NoticeMessage): void {
    this.show(notice.message, notice.code === 'held' ? this.heldTruth() : null);
  }

  /** The race's phase: a hold's notice goes at go (or when the countdown is called off). */
  race(phase: RaceMessage['phase']): void {
    const wentOn = this.racePhase === 'countdown' && phase !== 'countdown';
    this.racePhase = phase;
    if (wentOn) this.noticeNoLonger('countdown');
  }

  latency(medianMs: number | null): void {
    this.latencyEl.textContent = medianMs === null ? '–' : `${medianMs < 10 ? medianMs.toFixed(1) : Math.round(medianMs)} ms`;
  }

  error(error: ErrorMessage): void {
    const base = ERROR_TEXT[error.code] ?? error.message;
    const truth = error.code === 'held' ? this.heldTruth() : SEAT_ERRORS.has(error.code) ? 'seat' : null;
    this.show(DETAILED.has(error.code) ? `${base}: ${error.message}` : base, truth);
  }

  /** A short message in the alert line, cleared after a while, or sooner when it stops being true. */
  show(text: string, truth: NoticeTruth = null): void {
    this.notice.textContent = text;
    this.noticeTruth = truth;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.clearNotice(), 5000);
  }

  /**
   * A hold said before go ends at go (the server holds the cars before it tells every page of the
   * countdown, so it may come first); one after go (a stick still held from before) does not.
   */
  private heldTruth(): NoticeTruth {
    return this.racePhase === 'running' ? null : 'countdown';
  }

  /** Clears the notice if it says what has just stopped being true. */
  private noticeNoLonger(truth: Exclude<NoticeTruth, null>): void {
    if (this.noticeTruth === truth) this.clearNotice();
  }

  private clearNotice(): void {
    clearTimeout(this.noticeTimer);
    this.notice.textContent = '';
    this.noticeTruth = null;
  }

  /** Without a connection nothing is known about the car: the server may have stopped it long ago. */
  private carUnknown(): void {
    for (const field of [this.link, this.motion, this.last]) this.set(field, 'unknown (not connected)', 'unknown');
    this.seatEmpty = this.reserved = false;
  }

  private renderRole(): void {
    if (this.myRole === null) return;
    const others = this.myRole === 'driver' ? this.watching : this.watching - 1;
    const audience = others > 0 ? ` · ${others} watching` : '';
    const seat = this.reserved ? ' (seat held for the driver, reconnecting)' : this.seatEmpty ? ' (seat free)' : '';
    const line = this.myRole === 'spectator' && this.place ? describeQueue(this.place) : '';
    const text = this.myRole === 'driver' ? 'driver (you)' : `spectator${seat}${line ? ` · ${line}` : ''}`;
    this.set(this.role, text + audience, this.myRole);
  }

  /**
   * Take over only when a claim would succeed (the server says so in `queue`): not while the driver is
   * active (then when it will be), nor while the seat waits for its reconnecting driver.
   */
  private renderSeatButtons(): void {
    const couldClaim = this.myRole === 'spectator' && this.mayClaim && !this.reserved;
    this.takeOver.hidden = !couldClaim || this.place?.takeover === false;
    const later = couldClaim && this.place?.takeover === false && !this.seatEmpty;
    this.takeOverWhen.hidden = !later;
    this.takeOverWhen.textContent = later ? `Take over once the driver has been idle ${Math.round(this.idleTakeoverMs / 1000)} s` : '';
    this.release.hidden = this.myRole !== 'driver';
  }

  private set(target: HTMLElement, text: string, state: string): void {
    target.textContent = text;
    target.dataset.state = state;
  }

  /** Speaks a change once (repeating the same sentence on every state message would be noise). */
  private announce(topic: string, sentence: string): void {
    if (!sentence || this.spoken.get(topic) === sentence) return;
    this.spoken.set(topic, sentence);
    this.announcer.textContent = sentence;
  }
}
