/**
 * One car's room on Janus's VideoRoom plugin (https://janus.conf.meetecho.com/docs/videoroom.html): the
 * camera is its one publisher, and each viewer a subscriber to it. Janus makes the subscribers' offers;
 * whoever holds this object relays them to the pages and their answers back. Every request names the
 * room's PIN, made here and never sent to a page, so nothing but this server can join the room even if
 * someone else reached Janus's API.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { JanusCandidate, JanusMessage, JanusSession } from './janus-session.js';

const VIDEOROOM = 'janus.plugin.videoroom';

/** Who a handle serves: the camera (the publisher) or a viewer (a subscriber, by client id). */
export type Party = { camera: true } | { viewer: string };

export interface JanusRoomEvents {
  /** A candidate Janus trickles to a party (Janus puts most in its SDP: half trickle). */
  candidate(party: Party, candidate: JanusCandidate | null): void;
  /** The camera's media reaches Janus (`webrtcup`): only now may viewers subscribe to it. */
  live(): void;
  /** A viewer's connection to Janus ended without it leaving (ICE or DTLS failed): it needs a new offer. */
  hangup(viewer: string): void;
}

export class JanusRoom {
  private publisher: { handle: number; feed: number; live: boolean } | null = null;
  /**
   * The camera's candidates that came while its offer was with Janus (no handle to trickle them to yet):
   * given to the publisher's handle once Janus answers. Null when no publication is under way.
   */
  private early: Array<JanusCandidate | null> | null = null;
  private readonly subscribers = new Map<string, number>();

  private constructor(
    private readonly session: JanusSession, private readonly control: number,
    readonly room: number, private readonly pin: string, private readonly events: JanusRoomEvents,
  ) {
    session.onEvent = (handle, message) => this.onEvent(handle, message);
  }

  /** A new private room for one publisher in `session`. */
  static async create(session: JanusSession, events: JanusRoomEvents): Promise<JanusRoom> {
    const control = await session.attach(VIDEOROOM);
    const room = randomInt(1, 2 ** 47);
    const pin = randomBytes(16).toString('hex');
    await session.message(control, {
      request: 'create', room, pin, is_private: true, publishers: 1, permanent: false,
      videocodec: 'vp8', audiocodec: 'opus', notify_joining: false, fir_freq: 10, bitrate: 0,
    });
    return new JanusRoom(session, control, room, pin, events);
  }

  /** The camera's media is up at Janus: viewers can subscribe (Janus says "No such feed" before). */
  get live(): boolean {
    return this.publisher?.live ?? false;
  }

  /** The camera's offer: it becomes the room's publisher (a new handle; any earlier one goes), Janus's answer back. */
  async publish(offer: string): Promise<string> {
    await this.unpublish();
    const early: Array<JanusCandidate | null> = [];
    this.early = early;
    const handle = await this.session.attach(VIDEOROOM);
    const reply = await this.session.message(handle, { request: 'joinandconfigure', ptype: 'publisher', room: this.room, pin: this.pin, display: 'camera' }, { type: 'offer', sdp: offer })
      .finally(() => { if (this.early === early) this.early = null; });
    if (typeof reply.data.id !== 'number' || reply.jsep?.type !== 'answer') {
      await this.session.detach(handle);
      throw new Error('janus: the publisher was not answered');
    }
    this.publisher = { handle, feed: reply.data.id, live: false };
    for (const candidate of early) await this.session.trickle(handle, candidate);
    return reply.jsep.sdp;
  }

  /** The camera went: its handle, and with it every subscription to it. */
  async unpublish(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = null;
    for (const viewer of [...this.subscribers.keys()]) await this.unsubscribe(viewer);
    if (publisher) await this.session.detach(publisher.handle);
  }

  /** A viewer subscribes to the camera (a new handle; any earlier one goes): Janus's offer for it. */
  async subscribe(viewer: string): Promise<string> {
    const feed = this.publisher?.live ? this.publisher.feed : undefined;
    if (feed === undefined) throw new Error('janus: nothing is published');
    await this.unsubscribe(viewer);
    const handle = await this.session.attach(VIDEOROOM);
    this.subscribers.set(viewer, handle);
    const reply = await this.session.message(handle, { request: 'join', ptype: 'subscriber', room: this.room, pin: this.pin, streams: [{ feed }] });
    if (reply.jsep?.type !== 'offer') throw new Error('janus: the subscription came without an offer');
    return reply.jsep.sdp;
  }

  /** The viewer's answer to Janus's offer: its media starts. */
  async start(viewer: string, answer: string): Promise<void> {
    const handle = this.subscribers.get(viewer);
    if (handle === undefined) throw new Error(`janus: ${viewer} is not subscribed`);
    await this.session.message(handle, { request: 'start', room: this.room }, { type: 'answer', sdp: answer });
  }

  async unsubscribe(viewer: string): Promise<void> {
    const handle = this.subscribers.get(viewer);
    if (handle === undefined) return;
    this.subscribers.delete(viewer);
    await this.session.detach(handle);
  }

  /** A party's ICE candidate (null: it has no more) for its handle. */
  async trickle(party: Party, candidate: JanusCandidate | null): Promise<void> {
    if ('camera' in party && this.publisher === null && this.early !== null) return void this.early.push(candidate);
    const handle = 'camera' in party ? this.publisher?.handle : this.subscribers.get(party.viewer);
    if (handle !== undefined) await this.session.trickle(handle, candidate);
  }

  /** The room is destroyed and the session ended (best effort: Janus may be gone already). */
  async close(): Promise<void> {
    await this.session.message(this.control, { request: 'destroy', room: this.room }).catch(() => {});
    await this.session.end();
  }

  private onEvent(handle: number, message: JanusMessage): void {
    if (message.janus === 'webrtcup' && this.publisher?.handle === handle && !this.publisher.live) {
      this.publisher.live = true;
      return this.events.live();
    }
    if (message.janus === 'hangup') {
      if (this.publisher?.handle === handle) this.publisher.live = false; // the camera offers again (camera-peers.ts)
      const party = this.partyOf(handle);
      if (party && 'viewer' in party) this.events.hangup(party.viewer);
      return;
    }
    if (message.janus !== 'trickle' || !message.candidate) return;
    const party = this.partyOf(handle);
    if (party) this.events.candidate(party, message.candidate.completed ? null : message.candidate);
  }

  private partyOf(handle: number): Party | null {
    if (this.publisher?.handle === handle) return { camera: true };
    for (const [viewer, h] of this.subscribers) if (h === handle) return { viewer };
    return null;
  }
}
