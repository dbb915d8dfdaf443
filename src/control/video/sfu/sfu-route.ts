/**
 * One car's video through the SFU: the camera publishes once into the car's Janus room and every viewer
 * the camera relay serves subscribes to it. The pages never talk to Janus: the camera page offers to a
 * viewer named `sfu` (SFU_PEER) as it would to any page, and a viewer answers an offer that comes, as
 * ever, from the camera's id; this relays each step to Janus and back.
 *
 * `up` says whether Janus can be used now. When the session is lost (Janus stopped or unreachable) the
 * route is down at once and says so (`changed`); it asks Janus every PROBE_MS whether it answers again,
 * and is up again once a new session and room are made.
 */
import type { Logger } from '../../log.js';
import type { IceCandidate } from '../../protocol/messages.js';
import { JanusRoom, type JanusRoomEvents, type Party } from './janus-room.js';
import { JanusSession, janusAnswers, type JanusCandidate } from './janus-session.js';

/** The name the camera page offers to when it publishes to the SFU (client ids are `c<n>`: no clash). */
export const SFU_PEER = 'sfu';
/** Viewers served at once through the SFU: the camera uploads once, and --max-clients bounds the pages anyway. */
export const SFU_VIEWERS = 64;
const PROBE_MS = 1_000;
/** A viewer whose connection to Janus failed gets a new offer after this (the camera's own retry pace: camera-peers.ts). */
const RESUBSCRIBE_MS = 3_000;
/** A camera whose offer Janus refused is asked for a new one after RESUBSCRIBE_MS, this many times in a row at most. */
export const MAX_REPUBLISH = 5;

/** What the route uses of a room (JanusRoom; a fake in the tests). */
export type SfuRoom = Pick<JanusRoom, 'live' | 'room' | 'publish' | 'unpublish' | 'subscribe' | 'start' | 'unsubscribe' | 'trickle' | 'close'>;
/** Makes the car's room on the Janus at `url`, or throws; `gone` is called once if its session is lost later. */
export type RoomOpener = (url: string, events: JanusRoomEvents, gone: (why: string) => void) => Promise<SfuRoom>;

/** A step from the SFU to one page: a description or a candidate, as a relayed signal carries it. */
export type SfuSignal = { description: { type: 'offer' | 'answer'; sdp: string } } | { candidate: IceCandidate | null };

export interface SfuRouteOptions {
  /** Janus's HTTP API, e.g. http://127.0.0.1:8088/janus. */
  url: string;
  car: string;
  log: Logger;
  /** To the camera page, as from SFU_PEER. */
  toCamera(signal: SfuSignal): void;
  /** To a viewer's page, as from the camera. */
  toViewer(viewer: string, signal: SfuSignal): void;
  /** Up or down now. */
  changed(up: boolean): void;
  /** Janus refused the camera's offer: the camera is to offer anew (told of SFU_PEER again). */
  republish(): void;
  /** How the room is made: on a real Janus unless a test says otherwise. */
  openRoom?: RoomOpener;
}

export class SfuRoute {
  private room: SfuRoom | null = null;
  /** Janus's refusals of the camera's offers since the last one it took. */
  private refusedPublishes = 0;
  /** Viewers to subscribe as soon as the camera is published. */
  private readonly viewers = new Set<string>();
  private probe: ReturnType<typeof setTimeout> | undefined;
  /** Raised by every new publication, subscription and session: a late reply to an older one is dropped. */
  private generation = 0;
  private readonly viewerGeneration = new Map<string, number>();
  private closed = false;
  /** Said once per outage in the log: a probe every second would fill it. */
  private unreachableSaid = false;

  constructor(private readonly opts: SfuRouteOptions) {
    void this.connect();
  }

  get up(): boolean {
    return this.room !== null;
  }

  /** The camera's step toward the SFU: its offer is published, its candidates trickled. */
  fromCamera(step: SfuSignal): void {
    const room = this.room;
    if (!room) return;
    if ('candidate' in step) return void room.trickle({ camera: true }, janusCandidate(step.candidate)).catch(() => {});
    if (step.description.type !== 'offer') return;
    const generation = ++this.generation;
    room.publish(step.description.sdp).then((answer) => {
      if (generation !== this.generation || this.room !== room) return;
      this.refusedPublishes = 0;
      this.opts.toCamera({ description: { type: 'answer', sdp: answer } });
    }, (err: Error) => this.publishRefused(room, generation, err));
  }

  /**
   * Janus refused the camera's offer (a publisher it has not let go of yet, a busy Janus): the camera is
   * asked for a new one in a while, up to MAX_REPUBLISH times in a row; past that, the log says so and
   * the camera is asked again only when the route comes back up or the camera does.
   */
  private publishRefused(room: SfuRoom, generation: number, err: Error): void {
    const current = generation === this.generation && this.room === room;
    const again = current && ++this.refusedPublishes <= MAX_REPUBLISH;
    this.opts.log.warn('sfu_publish_failed', { car: this.opts.car, again }, err.message);
    if (!again) return;
    setTimeout(() => {
      if (generation === this.generation && this.room === room) this.opts.republish();
    }, RESUBSCRIBE_MS).unref();
  }

  /** A viewer's step toward the SFU: its answer starts its subscription, its candidates are trickled. */
  fromViewer(viewer: string, step: SfuSignal): void {
    const room = this.room;
    if (!room || !this.viewers.has(viewer)) return;
    if ('candidate' in step) return void room.trickle({ viewer }, janusCandidate(step.candidate)).catch(() => {});
    if (step.description.type !== 'answer') return;
    room.start(viewer, step.description.sdp).catch((err: Error) => this.opts.log.warn('sfu_start_failed', { car: this.opts.car, client: viewer }, err.message));
  }

  /** A viewer the relay serves: subscribed now if the camera is published, else once it is. */
  add(viewer: string): void {
    this.viewers.add(viewer);
    if (this.room?.live) void this.subscribe(this.room, viewer);
  }

  remove(viewer: string): void {
    this.viewers.delete(viewer);
    this.viewerGeneration.delete(viewer);
    void this.room?.unsubscribe(viewer).catch(() => {});
  }

  /** The camera left (or is no longer sent to the SFU): its publication and every subscription end. */
  cameraGone(): void {
    this.generation++;
    this.refusedPublishes = 0;
    this.viewers.clear();
    this.viewerGeneration.clear();
    void this.room?.unpublish().catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probe);
    const room = this.room;
    this.room = null;
    await room?.close();
  }

  private async subscribe(room: SfuRoom, viewer: string): Promise<void> {
    const generation = (this.viewerGeneration.get(viewer) ?? 0) + 1;
    this.viewerGeneration.set(viewer, generation);
    try {
      const offer = await room.subscribe(viewer);
      if (this.room === room && this.viewerGeneration.get(viewer) === generation) this.opts.toViewer(viewer, { description: { type: 'offer', sdp: offer } });
    } catch (err) {
      this.opts.log.warn('sfu_subscribe_failed', { car: this.opts.car, client: viewer }, (err as Error).message);
    }
  }

  /** A viewer's connection to Janus failed: offered again in a while, if it is still served then. */
  private resubscribe(room: SfuRoom, viewer: string): void {
    const generation = this.viewerGeneration.get(viewer);
    setTimeout(() => {
      if (this.room === room && room.live && this.viewers.has(viewer) && this.viewerGeneration.get(viewer) === generation) void this.subscribe(room, viewer);
    }, RESUBSCRIBE_MS).unref();
  }

  /** A session and a room on Janus; while it does not answer, asked again every PROBE_MS. */
  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      const room: SfuRoom = await (this.opts.openRoom ?? openJanusRoom)(this.opts.url, {
        candidate: (party, candidate) => this.candidate(party, candidate),
        live: () => { for (const viewer of this.viewers) void this.subscribe(room, viewer); },
        hangup: (viewer) => this.resubscribe(room, viewer),
      }, (why) => this.lost(room, why));
      if (this.closed) return void room.close();
      this.room = room;
      this.refusedPublishes = 0;
      this.unreachableSaid = false;
      this.opts.log.info('sfu_up', { car: this.opts.car, room: room.room });
      this.opts.changed(true);
    } catch (err) {
      if (!this.unreachableSaid) this.opts.log.warn('sfu_unreachable', { car: this.opts.car, url: this.opts.url }, `the SFU cannot be used (${(err as Error).message}): peer to peer until it can; asking again every ${PROBE_MS} ms`);
      this.unreachableSaid = true;
      this.probe = setTimeout(() => void this.connect(), PROBE_MS);
    }
  }

  private lost(room: SfuRoom, why: string): void {
    if (this.room !== room) return;
    this.room = null;
    this.generation++;
    this.viewers.clear();
    this.viewerGeneration.clear();
    this.opts.log.warn('sfu_down', { car: this.opts.car }, `the SFU is lost: ${why}; direct video until it is back`);
    this.opts.changed(false);
    this.unreachableSaid = true; // sfu_down said it
    this.probe = setTimeout(() => void this.connect(), PROBE_MS);
  }

  private candidate(party: Party, candidate: JanusCandidate | null): void {
    const wire: IceCandidate | null = candidate === null ? null
      : { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
    if ('camera' in party) this.opts.toCamera({ candidate: wire });
    else this.opts.toViewer(party.viewer, { candidate: wire });
  }
}

/** The hooks the camera relay gives a car's route. */
export type SfuRouteHooks = Pick<SfuRouteOptions, 'toCamera' | 'toViewer' | 'changed' | 'republish'>;

/** The camera relay's way to make a car's route (CameraRelayOptions.sfu), for Janus at `url`. */
export function sfuRouteTo(url: string, car: string, log: Logger) {
  return (hooks: SfuRouteHooks): SfuRoute => new SfuRoute({ url, car, log, ...hooks });
}

/** A session on the Janus at `url` and the car's room in it, once Janus answers. */
async function openJanusRoom(url: string, events: JanusRoomEvents, gone: (why: string) => void): Promise<SfuRoom> {
  if (!await janusAnswers(url, PROBE_MS)) throw new Error('janus does not answer');
  const session = await JanusSession.open(url);
  const room = await JanusRoom.create(session, events);
  session.onGone = gone;
  return room;
}

function janusCandidate(candidate: IceCandidate | null): JanusCandidate | null {
  if (candidate === null) return null;
  return { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex };
}
