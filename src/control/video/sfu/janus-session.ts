/**
 * One session on a Janus WebRTC server, over its HTTP API (https://janus.conf.meetecho.com/docs/rest.html):
 * requests are POSTs to /janus/SESSION[/HANDLE], and whatever Janus has to say later (a plugin's answer
 * to an asynchronous request, `webrtcup`, `hangup`, a trickled candidate) comes from a long poll, a GET on
 * /janus/SESSION that Janus holds open until it has events (or 30 s). Only node's fetch: no client
 * library, and nothing of Janus reaches a page.
 *
 * `gone` is called once, when the session can no longer be used: the long poll failed (Janus stopped, the
 * network to it broke) or Janus forgot the session. The owner then makes a new one when Janus answers again.
 */
import { randomUUID } from 'node:crypto';

/** What a request took longer than this for is treated as lost (Janus answers a local request in milliseconds). */
const REQUEST_TIMEOUT_MS = 10_000;
/** Janus ends a session it has not heard from in 60 s (session_timeout); a keepalive every 25 s keeps it. */
const KEEPALIVE_MS = 25_000;

export interface Jsep { type: 'offer' | 'answer'; sdp: string }
export interface JanusCandidate { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null }
/** A plugin's reply: its data (`videoroom: "joined"`, …) and, with it, an SDP offer or answer. */
export interface PluginReply { data: Record<string, unknown>; jsep?: Jsep }
/** A message from Janus (only the fields used here). */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id?: number };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
  candidate?: JanusCandidate & { completed?: boolean };
  error?: { code: number; reason: string };
}

interface Waiting { resolve(reply: PluginReply): void; reject(err: Error): void; timer: ReturnType<typeof setTimeout> }

export class JanusSession {
  private readonly waiting = new Map<string, Waiting>();
  private readonly abort = new AbortController();
  private readonly keepalive: ReturnType<typeof setInterval>;
  private ended = false;
  /** Events not answering a request of ours (webrtcup, hangup, trickle, a plugin's own news), by handle. */
  onEvent: (handle: number, message: JanusMessage) => void = () => {};
  /** The session is lost (called once; not after end()). */
  onGone: (why: string) => void = () => {};

  private constructor(private readonly base: string, readonly id: number) {
    this.keepalive = setInterval(() => void this.post('', { janus: 'keepalive' }).catch(() => {}), KEEPALIVE_MS);
    this.keepalive.unref();
    void this.poll();
  }

  /** A new session on the Janus at `base` (e.g. http://127.0.0.1:8088/janus). */
  static async open(base: string): Promise<JanusSession> {
    const reply = await postJson(base, { janus: 'create', transaction: randomUUID() });
    if (reply.janus !== 'success' || typeof reply.data?.id !== 'number') throw new Error(janusError(reply, 'create'));
    return new JanusSession(base, reply.data.id);
  }

  /** A handle on `plugin` in this session. */
  async attach(plugin: string): Promise<number> {
    const reply = await this.post('', { janus: 'attach', plugin });
    if (reply.janus !== 'success' || typeof reply.data?.id !== 'number') throw new Error(janusError(reply, 'attach'));
    return reply.data.id;
  }

  /**
   * A message to the handle's plugin, with an SDP if any. Janus answers a synchronous request (create,
   * exists) at once and an asynchronous one (join, configure, start) with `ack`, then an event on the
   * long poll carrying the same transaction: either way this resolves with the plugin's reply.
   */
  async message(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
    const transaction = randomUUID();
    const later = new Promise<PluginReply>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(transaction, new Error(`janus: no answer to ${String(body.request)}`)), REQUEST_TIMEOUT_MS);
      this.waiting.set(transaction, { resolve, reject, timer });
    });
    later.catch(() => {}); // settled below when the answer is synchronous; its rejection is the caller's
    let reply: JanusMessage;
    try {
      reply = await this.post(`/${handle}`, { janus: 'message', body, ...(jsep ? { jsep } : {}) }, transaction);
    } catch (err) {
      this.settle(transaction, err as Error);
      return later;
    }
    if (reply.janus === 'ack') return later;
    this.settle(transaction, reply.janus === 'success' ? outcomeOf(reply) : new Error(janusError(reply, String(body.request))));
    return later;
  }

  /** One ICE candidate of the handle's peer, or null: it has no more. */
  async trickle(handle: number, candidate: JanusCandidate | null): Promise<void> {
    await this.post(`/${handle}`, { janus: 'trickle', candidate: candidate ?? { completed: true } });
  }

  /** The handle's PeerConnection is closed and the handle released (best effort). */
  async detach(handle: number): Promise<void> {
    await this.post(`/${handle}`, { janus: 'detach' }).catch(() => {});
  }

  /** Ends the session (Janus frees its handles and their PeerConnections); best effort. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.stop('the session ended');
    await this.post('', { janus: 'destroy' }).catch(() => {});
  }

  private async post(path: string, body: Record<string, unknown>, transaction = randomUUID()): Promise<JanusMessage> {
    return postJson(`${this.base}/${this.id}${path}`, { ...body, transaction });
  }

  /** The long poll: one GET at a time, for as long as the session lives. */
  private async poll(): Promise<void> {
    while (!this.ended) {
      let messages: JanusMessage[];
      try {
        const res = await fetch(`${this.base}/${this.id}?maxev=10&rid=${Date.now()}`, { signal: this.abort.signal });
        const body = await res.json() as JanusMessage | JanusMessage[];
        messages = Array.isArray(body) ? body : [body];
      } catch (err) {
        return this.lost(`the long poll failed (${(err as Error).message})`);
      }
      for (const message of messages) {
        if (message.janus === 'error') return this.lost(janusError(message, 'poll'));
        this.deliver(message);
      }
    }
  }

  private deliver(message: JanusMessage): void {
    if (message.janus === 'keepalive') return;
    if (message.janus === 'event' && message.transaction !== undefined && this.waiting.has(message.transaction)) {
      return this.settle(message.transaction, outcomeOf(message));
    }
    if (message.sender !== undefined) this.onEvent(message.sender, message);
  }

  private settle(transaction: string, outcome: PluginReply | Error): void {
    const waiting = this.waiting.get(transaction);
    if (!waiting) return;
    this.waiting.delete(transaction);
    clearTimeout(waiting.timer);
    if (outcome instanceof Error) waiting.reject(outcome);
    else waiting.resolve(outcome);
  }

  private lost(why: string): void {
    if (this.ended) return;
    this.stop(why);
    this.onGone(why);
  }

  private stop(why: string): void {
    this.ended = true;
    clearInterval(this.keepalive);
    this.abort.abort();
    for (const transaction of [...this.waiting.keys()]) this.settle(transaction, new Error(`janus: ${why}`));
  }
}

/** Whether a Janus answers at `base` now (GET /info), within `timeoutMs`. */
export async function janusAnswers(base: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${base}/info`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.json() as JanusMessage;
    return body.janus === 'server_info';
  } catch {
    return false;
  }
}

async function postJson(url: string, body: Record<string, unknown>): Promise<JanusMessage> {
  const res = await fetch(url, {
    method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return await res.json() as JanusMessage;
}

/** The plugin's reply, or its refusal (the VideoRoom says `error` in its data). */
function outcomeOf(message: JanusMessage): PluginReply | Error {
  const data = message.plugindata?.data ?? {};
  if (typeof data.error === 'string') return new Error(`janus: ${data.error}`);
  return { data, ...(message.jsep ? { jsep: message.jsep } : {}) };
}

function janusError(message: JanusMessage, what: string): string {
  return `janus refused ${what}: ${message.error?.reason ?? String(message.plugindata?.data.error ?? message.janus)}`;
}
