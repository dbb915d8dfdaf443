/**
 * One car's camera and its viewers: who is the camera, who asked for video, who gets it (at most `limit`,
 * since the camera's phone encodes once per viewer), and the WebRTC signalling between them. The media
 * itself never touches the server; this relays offers, answers and ICE candidates, and only between the
 * camera and a viewer it is serving: nothing reaches a client that did not ask for it.
 */
import type { ClientSession } from '../connection/client-session.js';
import { may } from '../connection/policy.js';
import { BACKLOG_BYTES } from '../connection/fan-out.js';
import type { IceGrant } from './ice-grants.js';
import type { Logger } from '../log.js';
import type { SignalMessage, SignalRelayMessage, VideoStatus, ViewingMessage } from '../protocol/messages.js';
import { SignalBudget, type Refusal } from './signal-budget.js';
import { AtMostEvery } from '../throttle.js';
import { SFU_PEER, SFU_VIEWERS, type SfuRoute, type SfuRouteHooks, type SfuSignal } from './sfu/sfu-route.js';

/**
 * Through the SFU, the name both ends of the driver's push-to-talk give the other: the camera page and the
 * driver's page connect directly for it, beside Janus's video (docs/video.md, "Push-to-talk"), and the
 * server alone decides who is behind the name: the driver it serves now. Client ids are `c<n>`: no clash.
 */
export const TALK_PEER = 'talk';

/** A sender over its signalling budget hears so at most this often; the rest is dropped silently. */
const REFUSAL_REPLY_INTERVAL_MS = 1000;
const BACKLOG_LOG_INTERVAL_MS = 10_000;

export interface CameraRelayOptions {
  limit: number;
  log: Logger;
  /** The car's client by id (undefined once it left). */
  session(id: string): ClientSession | undefined;
  /** Tells every client of the car the new video status. */
  broadcast(status: VideoStatus): void;
  /** The car's driver now (null when none): served first, even in a spectator's place. */
  driver(): string | null;
  /** The ICE servers for a client that watches or is the camera (ice-grants.ts: minted, rate-limited). */
  iceServers(session: ClientSession): IceGrant;
  now: () => number; // monotonic milliseconds
  /** With --sfu: the car's route through Janus, made with the relay's hooks (sfu/sfu-route.ts). */
  sfu?: (hooks: SfuRouteHooks) => SfuRoute;
}

export class CameraRelay {
  private camera: ClientSession | null = null;
  /** Clients that asked for video, in the order they asked: the first `limit` of them are served. */
  private readonly wanting = new Set<string>();
  private readonly served = new Set<string>();
  /** What each viewer's negotiations may still cost (signal-budget.ts). */
  private readonly budget: SignalBudget;
  /** Each client is told it is over its signalling budget at most once per REFUSAL_REPLY_INTERVAL_MS. */
  private readonly refusalReplies = new Map<string, AtMostEvery>();
  /** Each reader's dropped signals are logged at most once per BACKLOG_LOG_INTERVAL_MS. */
  private readonly backlogLogs = new Map<string, AtMostEvery>();

  /** The SFU (--sfu), and whether viewers are served through it now: while it is down, peer to peer. */
  private readonly route: SfuRoute | null;
  private viaSfu = false;
  /** Through the SFU, the driver the camera takes push-to-talk from (TALK_PEER), or null. */
  private talkWith: string | null = null;

  constructor(private readonly opts: CameraRelayOptions) {
    this.budget = new SignalBudget(opts.now);
    this.route = opts.sfu?.({
      toCamera: (step) => this.sfuToCamera(step), toViewer: (id, step) => this.sfuToViewer(id, step), changed: (up) => this.routeChanged(up),
      republish: () => { if (this.viaSfu && this.camera !== null) this.publishToSfu(); },
    }) ?? null;
  }

  get status(): VideoStatus {
    const sfu = this.route === null ? {} : { sfu: this.viaSfu ? 'up' as const : 'down' as const };
    return { camera: this.camera?.id ?? null, viewers: this.served.size, limit: this.limit, ...sfu };
  }

  /** Viewers served at once: through the SFU the camera uploads once, whatever their number. */
  private get limit(): number {
    return this.viaSfu ? SFU_VIEWERS : this.opts.limit;
  }

  /** Ends the SFU's session, if any (the server is closing). */
  async close(): Promise<void> {
    await this.route?.close();
  }

  /**
   * Being the camera takes a camera page (`role=camera`: it never takes a seat by itself) and, with a
   * token, the token; asked in that order, so a client that may not be the camera learns nothing more.
   */
  cameraOn(session: ClientSession): void {
    const refusal = may(session, 'camera-on', { driver: this.opts.driver() });
    if (refusal) return session.error(refusal.code, refusal.message, 'camera-on');
    if (this.camera === session) return this.sendIceServers(session); // asked again: fresh servers before they expire
    if (this.camera !== null) {
      return session.error('camera_taken', `this car has a camera (${this.camera.id}); one at a time`, 'camera-on');
    }
    this.sendIceServers(session); // before the first viewer it must offer to
    this.camera = session;
    this.wanting.delete(session.id); // a camera does not watch itself
    this.opts.log.info('camera', { client: session.id, on: true });
    if (this.viaSfu) this.publishToSfu();
    this.serve();
  }

  cameraOff(session: ClientSession): void {
    if (this.camera !== session) return session.error('unknown_peer', 'you are not the camera', 'camera-off');
    this.dropCamera();
  }

  watch(session: ClientSession): void {
    if (session === this.camera) return session.error('unknown_peer', 'the camera cannot watch itself', 'watch');
    if (!this.wanting.has(session.id) && !this.budget.ask(session.id)) {
      // Each new ask is an offer the camera's phone must make: a page hidden and shown is a few a minute.
      return session.error('rate_limited', 'video asked for too often; ask again in a few seconds', 'watch');
    }
    this.wanting.add(session.id);
    this.sendIceServers(session); // before the camera's offer can come; a page asks again before they expire
    if (this.served.has(session.id)) return this.tell(session, 'admitted');
    this.serve();
    if (!this.served.has(session.id)) this.tell(session, this.camera === null ? 'waiting' : 'limited');
  }

  unwatch(session: ClientSession): void {
    this.wanting.delete(session.id);
    this.stopServing(session.id);
    this.tell(session, 'off');
    this.serve();
  }

  /** The seat changed hands: a driver who asked for video gets it before any spectator. */
  driverChanged(): void {
    this.serve();
  }

  /**
   * Relays one negotiation step between the camera and a viewer it serves, within that viewer's
   * signalling budget; anything else is refused. Relaying is best effort: a reader with a backlog does
   * not get it (the next offer starts over), and is never dropped for it.
   */
  signal(session: ClientSession, msg: SignalMessage): void {
    if (this.viaSfu) return this.signalSfu(session, msg);
    const fromCamera = session === this.camera;
    const allowed = fromCamera ? this.served.has(msg.to) : this.served.has(session.id) && msg.to === this.camera?.id;
    const peer = allowed ? this.opts.session(msg.to) : undefined;
    if (!peer) {
      const why = fromCamera ? `${msg.to} is not watching this camera`
        : this.camera === null ? 'this car has no camera' : 'send watch first, and signal only the camera';
      return session.error('unknown_peer', why, 'signal', 'to');
    }
    const relayed: SignalRelayMessage = msg.description !== undefined
      ? { type: 'signal', from: session.id, description: msg.description }
      : { type: 'signal', from: session.id, candidate: msg.candidate ?? null };
    const json = JSON.stringify(relayed);
    const viewer = fromCamera ? peer.id : session.id;
    const refusal = this.budget.charge(viewer, fromCamera ? 'camera' : 'viewer', msg, Buffer.byteLength(json));
    if (refusal !== null) return this.refuse(session, refusal);
    if (peer.ws.bufferedAmount > BACKLOG_BYTES) return this.dropFor(peer, session.id);
    peer.sendText(json);
  }

  /** A client of the car left: as the camera, its viewers wait for the next; as a viewer, its slot frees. */
  left(session: ClientSession): void {
    this.budget.forget(session.id);
    this.budget.forget(talkBudget(session.id));
    this.refusalReplies.delete(session.id);
    this.backlogLogs.delete(session.id);
    if (session === this.camera) return this.dropCamera();
    if (!this.wanting.delete(session.id)) return;
    this.stopServing(session.id);
    this.serve();
  }

  private dropCamera(): void {
    const camera = this.camera!;
    this.camera = null;
    this.route?.cameraGone();
    this.opts.log.info('camera', { client: camera.id, on: false });
    for (const id of this.served) {
      this.budget.close(id);
      const viewer = this.opts.session(id);
      if (viewer) this.tell(viewer, 'waiting');
    }
    this.served.clear();
    this.syncTalk();
    this.opts.broadcast(this.status);
  }

  /**
   * Serves the driver (when it asked) and then the earliest wanting viewers, up to the limit; the camera
   * hears of each new one. A driver who finds every slot taken takes the latest spectator's: whoever
   * drives the car must see where it goes; the spectator waits as `limited` until a slot frees.
   */
  private serve(): void {
    const camera = this.camera;
    let changed = false;
    if (camera !== null) {
      const driver = this.opts.driver();
      const driverWaits = driver !== null && this.wanting.has(driver) && !this.served.has(driver);
      if (driverWaits && this.served.size >= this.limit) {
        const latest = [...this.served].pop()!;
        this.stopServing(latest);
        const spectator = this.opts.session(latest);
        if (spectator) this.tell(spectator, 'limited');
        changed = true;
      }
      const order = driverWaits ? [driver, ...[...this.wanting].filter((id) => id !== driver)] : this.wanting;
      for (const id of order) {
        if (this.served.size >= this.limit) break;
        if (this.served.has(id)) continue;
        const viewer = this.opts.session(id);
        if (!viewer) continue;
        this.served.add(id);
        changed = true;
        this.tell(viewer, 'admitted');
        if (this.viaSfu) this.route!.add(id);
        else camera.send({ type: 'viewer', id, joined: true });
      }
    }
    this.syncTalk();
    if (changed || camera !== null) this.opts.broadcast(this.status);
  }

  /**
   * Through the SFU, the driver's voice goes straight to the camera (Janus's offer has no section for a
   * subscriber to send on, and the car phone is its one listener): the camera connects to TALK_PEER while
   * the driver is served, and is told to drop that connection the moment the seat passes, in the same
   * turn as the seat (before the new `state`), so the old driver is not heard a moment longer.
   */
  private syncTalk(): void {
    const driver = this.opts.driver();
    const want = this.viaSfu && this.camera !== null && driver !== null && this.served.has(driver) ? driver : null;
    if (want === this.talkWith) return;
    if (this.talkWith !== null) {
      this.budget.close(talkBudget(this.talkWith));
      this.camera?.send({ type: 'viewer', id: TALK_PEER, joined: false });
    }
    this.talkWith = want;
    if (want !== null) this.camera!.send({ type: 'viewer', id: TALK_PEER, joined: true });
  }

  private stopServing(id: string): void {
    if (!this.served.delete(id)) return;
    this.budget.close(id);
    if (this.viaSfu) this.route!.remove(id);
    else this.camera?.send({ type: 'viewer', id, joined: false });
  }

  /**
   * Janus came (up) or went (down): every viewer is served anew by the other route, the driver first.
   * Down, the camera's phone sends to the driver directly again (and to spectators up to --max-viewers);
   * up, the camera publishes once more and the direct connections close.
   */
  private routeChanged(up: boolean): void {
    const before = [...this.served];
    for (const id of before) this.stopServing(id);
    if (this.viaSfu) this.camera?.send({ type: 'viewer', id: SFU_PEER, joined: false });
    this.viaSfu = up;
    if (up && this.camera !== null) this.publishToSfu();
    this.serve();
    this.opts.broadcast(this.status);
    for (const id of before) {
      const viewer = this.served.has(id) ? undefined : this.opts.session(id);
      if (viewer) this.tell(viewer, 'limited');
    }
  }

  /** The camera is told of one more viewer, the SFU: it offers to it as to a page, once for everyone. */
  private publishToSfu(): void {
    this.budget.close(SFU_PEER);
    this.camera!.send({ type: 'viewer', id: SFU_PEER, joined: true });
  }

  /**
   * Through the SFU, the camera signals only the SFU, and a viewer it serves only the camera (whose offer
   * Janus made): a viewer's offer, which would publish, is refused by the budget as out of place.
   */
  private signalSfu(session: ClientSession, msg: SignalMessage): void {
    if (msg.to === TALK_PEER) return this.signalTalk(session, msg);
    const fromCamera = session === this.camera;
    const allowed = fromCamera ? msg.to === SFU_PEER : this.served.has(session.id) && msg.to === this.camera?.id;
    if (!allowed) {
      const why = fromCamera ? `the video goes through the SFU: signal ${SFU_PEER} only`
        : this.camera === null ? 'this car has no camera' : 'send watch first, and signal only the camera';
      return session.error('unknown_peer', why, 'signal', 'to');
    }
    const refusal = this.budget.charge(fromCamera ? SFU_PEER : session.id, fromCamera ? 'camera' : 'viewer', msg, Buffer.byteLength(JSON.stringify(msg)));
    if (refusal !== null) return this.refuse(session, refusal);
    const step: SfuSignal = msg.description !== undefined ? { description: msg.description as { type: 'offer' | 'answer'; sdp: string } } : { candidate: msg.candidate ?? null };
    if (fromCamera) this.route!.fromCamera(step);
    else this.route!.fromViewer(session.id, step);
  }

  /**
   * A step of push-to-talk through the SFU: between the camera and the driver it talks with, each named
   * TALK_PEER to the other; anyone else (a spectator, the driver of a moment ago) is `unknown_peer`. The
   * camera offers and the driver answers, within a budget of their own.
   */
  private signalTalk(session: ClientSession, msg: SignalMessage): void {
    const driver = this.talkWith;
    const fromCamera = session === this.camera;
    const peer = driver === null ? undefined : fromCamera ? this.opts.session(driver) : session.id === driver ? this.camera : undefined;
    if (!peer) return session.error('unknown_peer', 'push-to-talk goes between the camera and the driver only', 'signal', 'to');
    const relayed: SignalRelayMessage = msg.description !== undefined
      ? { type: 'signal', from: TALK_PEER, description: msg.description }
      : { type: 'signal', from: TALK_PEER, candidate: msg.candidate ?? null };
    const json = JSON.stringify(relayed);
    const refusal = this.budget.charge(talkBudget(driver!), fromCamera ? 'camera' : 'viewer', msg, Buffer.byteLength(json));
    if (refusal !== null) return this.refuse(session, refusal);
    if (peer.ws.bufferedAmount > BACKLOG_BYTES) return this.dropFor(peer, fromCamera ? session.id : TALK_PEER);
    peer.sendText(json);
  }

  private sfuToCamera(step: SfuSignal): void {
    this.camera?.sendText(JSON.stringify({ type: 'signal', from: SFU_PEER, ...step } satisfies SignalRelayMessage));
  }

  /** Janus's step for a viewer, sent as the camera's; its offer opens the viewer's negotiation in the budget. */
  private sfuToViewer(id: string, step: SfuSignal): void {
    const viewer = this.served.has(id) ? this.opts.session(id) : undefined;
    if (!viewer || this.camera === null) return;
    const json = JSON.stringify({ type: 'signal', from: this.camera.id, ...step } satisfies SignalRelayMessage);
    if ('description' in step) this.budget.charge(id, 'camera', { type: 'signal', to: id, ...step }, Buffer.byteLength(json));
    if (viewer.ws.bufferedAmount > BACKLOG_BYTES) return this.dropFor(viewer, SFU_PEER);
    viewer.sendText(json);
  }

  /** A signal for a reader that is not reading: dropped, and said in the log at most every 10 s per reader. */
  private dropFor(reader: ClientSession, from: string): void {
    if (!this.everyFor(this.backlogLogs, reader.id, BACKLOG_LOG_INTERVAL_MS).take()) return;
    this.opts.log.warn('signal_dropped', { client: reader.id, from, buffered: reader.ws.bufferedAmount }, `${reader.id} is not reading: video signalling to it is dropped`);
  }

  /** A signal over budget or out of place; a spent budget is answered at most once a second. */
  private refuse(session: ClientSession, refusal: Refusal): void {
    if (refusal.code === 'rate_limited' && !this.everyFor(this.refusalReplies, session.id, REFUSAL_REPLY_INTERVAL_MS).take()) return;
    session.error(refusal.code, refusal.message, 'signal', refusal.field);
  }

  /** The client's own once-per-interval gate in `gates`, made on first use. */
  private everyFor(gates: Map<string, AtMostEvery>, id: string, intervalMs: number): AtMostEvery {
    let gate = gates.get(id);
    if (!gate) gates.set(id, gate = new AtMostEvery(intervalMs, this.opts.now));
    return gate;
  }

  private sendIceServers(session: ClientSession): void {
    session.send({ type: 'ice-servers', ...this.opts.iceServers(session) });
  }

  private tell(session: ClientSession, status: ViewingMessage['status']): void {
    session.send({ type: 'viewing', status, camera: this.camera?.id ?? null, limit: this.limit });
  }
}

/** The signalling budget of a driver's push-to-talk, apart from its video's. */
function talkBudget(driver: string): string {
  return `${TALK_PEER}:${driver}`;
}
