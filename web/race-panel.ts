// The race panel of a car's page: the race's state and leaderboard, the countdown over the whole page,
// a form to start (or end) a race, a marshal's lap buttons for real cars, and the lap book (the driver's
// name is name-prompt.ts's). Who may start, end and mark is main.ts's raceRights (docs/races.md; the server checks
// it again): a button is enabled only when the server would take its press.
// The countdown overlay never takes a press: Stop stays reachable under it.

import { BestLapOffer } from './best-lap-offer.js';
import type { ArenaCar, BestLapMessage, ClientMessage, LapsMessage, RaceMessage, Standing } from './messages.js';
import { carHref, lapTime, raceHeadline } from './race-text.js';

/**
 * What this page may do to races: `any` (the marshal, or a token holder) starts, ends and marks any race;
 * `driver` (a car's driver, without a token) starts one, calls one off in its countdown, and ends or marks
 * one its car is in; `none` watches.
 */
export type RaceRights = 'any' | 'driver' | 'none';

const WHO_STARTS = 'Only the cars\' drivers and the marshal start or end a race.';
const WHO_ENDS = 'Only the drivers of the cars in this race and the marshal end it.';

function el<T extends HTMLElement>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`race panel: missing ${selector}`);
  return found;
}

export class RacePanel {
  private readonly status: HTMLElement;
  private readonly standings: HTMLTableSectionElement;
  private readonly table: HTMLTableElement;
  private readonly marshal: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly lapsInput: HTMLInputElement;
  private readonly startButton: HTMLButtonElement;
  private readonly endButton: HTMLButtonElement;
  /** Why Start is greyed out for a spectator: the server would refuse (docs/races.md, "Who runs a race"). */
  private readonly who: HTMLElement;
  private readonly book: HTMLTableSectionElement;
  private readonly countdown: HTMLElement;
  private readonly bestLapOffer: BestLapOffer;
  private cars = new Map<string, ArenaCar>();
  private race: RaceMessage | null = null;
  private receivedAt = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private goShownUntil = 0;
  private rights: RaceRights = 'none';
  private online = false;

  constructor(root: ParentNode, private readonly opts: { send(message: ClientMessage): boolean; ownCar(): string }) {
    this.status = el(root, '#race-status');
    this.table = el(root, '#standings');
    this.standings = this.table.tBodies[0];
    this.marshal = el(root, '#marshal');
    this.form = el(root, '#race-form');
    this.lapsInput = el(root, '#race-laps');
    this.startButton = el(root, '#race-start');
    this.endButton = el(root, '#race-end');
    this.who = el(root, '#race-who');
    this.book = el<HTMLTableElement>(root, '#lap-book').tBodies[0];
    this.countdown = el(root, '#countdown');
    this.bestLapOffer = new BestLapOffer(el(root, '#best-lap'), opts.send);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const laps = Number(this.lapsInput.value);
      if (!Number.isInteger(laps) || laps < Number(this.lapsInput.min) || laps > Number(this.lapsInput.max)) {
        this.lapsInput.setAttribute('aria-invalid', 'true');
        return;
      }
      this.lapsInput.removeAttribute('aria-invalid');
      this.opts.send({ type: 'race-start', laps });
    });
    this.endButton.addEventListener('click', () => this.opts.send({ type: 'race-end' }));
    this.render();
  }

  /** A new connection's welcome. */
  connected(rights: RaceRights): void {
    this.online = true;
    this.bestLapOffer.connected(true);
    this.rights = rights;
    this.render();
  }

  /** The connection ended: nothing can be sent, and the race goes on without us seeing it. */
  offline(): void {
    this.online = false;
    this.bestLapOffer.connected(false);
    this.render();
  }

  /** This client's rights changed (a seat taken or lost, a token accepted). */
  allowed(rights: RaceRights): void {
    this.rights = rights;
    this.render();
  }

  /** The server keeps a best lap of ours on this car: offer to race it. */
  bestLap(lap: BestLapMessage): void {
    this.bestLapOffer.offer(lap);
  }

  arena(cars: readonly ArenaCar[]): void {
    this.cars = new Map(cars.map((c) => [c.name, c]));
    this.render();
  }

  update(race: RaceMessage): void {
    const wasCountdown = this.race?.phase === 'countdown';
    this.race = race;
    this.receivedAt = performance.now();
    if (wasCountdown && race.phase === 'running') this.goShownUntil = this.receivedAt + 1200;
    this.render();
  }

  laps(book: LapsMessage): void {
    this.book.replaceChildren(...book.cars.map((c) => this.row([
      this.carCell(c.car), text(c.driver ?? '–'), text(String(c.laps)), text(lapTime(c.lastMs)), text(lapTime(c.bestMs)),
    ])));
  }

  /** A focused control that just went (Start while a race runs, End after it) hands focus to the other,
   *  so the keyboard's place is not dropped to the page's top. */
  private keepFocus(focused: Element | null): void {
    const gone = (el: HTMLElement) => el === focused && (el.hidden || (el as HTMLButtonElement | HTMLInputElement).disabled);
    if (!gone(this.startButton) && !gone(this.lapsInput) && !gone(this.endButton)) return;
    const next = [this.endButton, this.startButton].find((b) => !b.hidden && !b.disabled);
    next?.focus();
  }

  /** Ends (or calls off) this race, or marks its laps: the server's rule (policy.ts, `inRace`). */
  private mayEnd(phase: RaceMessage['phase'] | 'none'): boolean {
    if (this.rights !== 'driver') return this.rights === 'any';
    return phase !== 'running' || (this.race?.standings ?? []).some((s) => s.car === this.opts.ownCar());
  }

  /** The clock the race is at now, counted on from the last message. */
  private elapsed(): number {
    const race = this.race!;
    return (race.elapsedMs ?? 0) + (race.phase === 'running' ? performance.now() - this.receivedAt : 0);
  }

  private render(): void {
    const phase = this.race?.phase ?? 'none';
    const under = phase === 'countdown' || phase === 'running';
    const focused = document.activeElement;
    const mayEnd = this.mayEnd(phase);
    this.startButton.disabled = !this.online || this.rights === 'none' || under;
    this.lapsInput.disabled = this.startButton.disabled;
    this.endButton.hidden = !under;
    this.endButton.disabled = !this.online || !mayEnd;
    const who = !this.online ? '' : this.rights === 'none' ? WHO_STARTS : under && !mayEnd ? WHO_ENDS : '';
    this.who.textContent = who;
    this.who.hidden = who === '';
    this.endButton.textContent = phase === 'countdown' ? 'Call the race off' : 'End the race';
    this.keepFocus(focused);
    const standings = this.race?.standings ?? [];
    this.table.hidden = standings.length === 0;
    this.standings.replaceChildren(...standings.map((s) => this.standingRow(s)));
    this.renderMarshal(phase === 'running' ? standings : []);
    this.tick();
  }

  /** What changes with the clock alone: the headline's race time and the countdown, ten times a second. */
  private tick(): void {
    const race = this.race;
    this.status.textContent = race ? raceHeadline(race, this.elapsed()) : 'No race yet.';
    this.renderCountdown();
    const ticking = race?.phase === 'countdown' || race?.phase === 'running' || performance.now() < this.goShownUntil;
    if (ticking && this.ticker === undefined) this.ticker = setInterval(() => this.tick(), 100);
    if (!ticking && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private renderCountdown(): void {
    const race = this.race;
    let shown = '';
    if (race?.phase === 'countdown') {
      const left = (race.startsInMs ?? 0) - (performance.now() - this.receivedAt);
      shown = left > 0 ? String(Math.ceil(left / 1000)) : 'GO!';
    } else if (performance.now() < this.goShownUntil) {
      shown = 'GO!';
    }
    this.countdown.hidden = shown === '';
    if (this.countdown.textContent !== shown) this.countdown.textContent = shown;
  }

  /** A button per real car still racing: the server cannot see it cross the line. */
  private renderMarshal(standings: readonly Standing[]): void {
    const real = standings.filter((s) => s.status === 'racing' && this.cars.get(s.car)?.sim === false);
    this.marshal.hidden = real.length === 0 || !this.mayEnd('running');
    const names = real.map((s) => s.car).join(' ');
    if (this.marshal.dataset.cars === names) return; // keep the buttons (and their focus) while they are the same
    this.marshal.dataset.cars = names;
    this.marshal.replaceChildren(...real.map((s) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'small lap-mark';
      button.textContent = `Lap done: ${s.car}`;
      button.style.borderColor = this.cars.get(s.car)?.colour ?? '';
      button.addEventListener('click', () => this.opts.send({ type: 'lap-mark', car: s.car }));
      return button;
    }));
  }

  private standingRow(s: Standing): HTMLTableRowElement {
    const time = s.status === 'finished' ? lapTime(s.finishMs) : s.status === 'out' ? 'out' : 'racing';
    const row = this.row([
      text(String(s.position)), this.carCell(s.car), text(s.driver ?? '–'), text(`${s.laps}/${this.race!.laps}`),
      text(lapTime(s.lastLapMs)), text(lapTime(s.bestLapMs)), text(time),
    ]);
    row.dataset.car = s.car;
    row.dataset.status = s.status;
    return row;
  }

  private carCell(name: string): HTMLElement {
    const link = document.createElement('a');
    link.href = carHref(name);
    link.className = 'car-name';
    link.style.setProperty('--car', this.cars.get(name)?.colour ?? 'currentColor');
    link.textContent = name;
    return link;
  }

  private row(cells: HTMLElement[]): HTMLTableRowElement {
    const row = document.createElement('tr');
    for (const content of cells) {
      const cell = document.createElement('td');
      cell.append(content);
      row.append(cell);
    }
    return row;
  }
}

function text(value: string): HTMLElement {
  const span = document.createElement('span');
  span.textContent = value;
  return span;
}
