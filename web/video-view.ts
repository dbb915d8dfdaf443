// The car's video on the driving page (drivers and spectators alike): it asks for video once there is a
// camera (its ICE servers come in the answer, and it asks again before they expire: ice-renewal.ts),
// answers the camera's offer (docs/protocol.md "Video"), and shows what the picture is worth:
//
//   none        no camera: the page as it always was (the map of the simulated car stays)
//   connecting  a camera is there and the connection to it is being made
//   limited     the camera serves as many viewers as it may; this page is next when one leaves
//   live        frames are arriving: frames per second, resolution and round-trip time from getStats
//   frozen      connected, but no new frame for FROZEN_MS: the picture on screen is old
//   lost        the camera went away (its page closed: the server says so at once)
//   back        live again after it was lost (for BACK_MS, then live)
//   paused      the page is hidden (another tab, a locked phone): it gave its viewer slot back, and asks
//               again when it is in view (live once the first frame is there)
//
// The car's sound (the camera phone's microphone, when it sends one) plays in the same element, muted
// until "Listen" is tapped: off by default on every page (browsers allow sound only after a tap anyway),
// and one tap to listen or to mute again.
//
// With an SFU (--sfu), the status says whether the picture comes through it or, while it is away,
// straight from the camera ("video server lost": the driver's picture comes back peer to peer within
// seconds). The page does the same either way: the server relays Janus's offer as the camera's.
//
// With a live picture the page turns into a stage: the video fills the screen and the status bar,
// joystick and Stop lie over it (style.css, body.video-on). It goes back LOST_LINGER_MS after the camera
// is lost. The layout never changes under a held joystick (the pad would move under the finger, and so
// would the demand): it waits for the release.
//
// Video never drives: nothing here sends anything but video signalling, whatever the picture does. A
// frozen or lost picture is shown as such, and the car keeps doing what its driver's inputs say, under
// the same watchdog as ever (docs/safety.md).

import { IceRenewal } from './ice-renewal.js';
import type { ClientMessage, IceServer, ServerMessage, VideoStatus, WelcomeMessage } from './messages.js';
import { whenReleased } from './layout.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';
import { describeFigures, videoFigures, type VideoFigures } from './video-stats.js';
import { TALK_PEER, TalkSender } from './talk.js';
import { TalkLink } from './talk-link.js';

export type VideoState = 'none' | 'connecting' | 'limited' | 'live' | 'frozen' | 'lost' | 'back' | 'paused';

const FROZEN_MS = 2_000;
const BACK_MS = 3_000;
const LOST_LINGER_MS = 10_000;
/** How often the stats are read and the picture's age checked. */
const TICK_MS = 500;

export interface VideoViewOptions {
  send(message: ClientMessage): boolean;
}

export class VideoView {
  private readonly section: HTMLElement;
  private readonly video: HTMLVideoElement;
  private readonly overlay: HTMLElement;
  private readonly status: HTMLElement;
  private readonly sound: HTMLButtonElement;
  private readonly talkButton: HTMLButtonElement;
  /** Push-to-talk to the car phone (talk.ts): offered to the driver only. */
  private readonly talk = new TalkSender();
  /** Through the SFU, the camera's connection for the driver's voice alone (talk-link.ts). */
  private readonly talkLink = new TalkLink({
    send: (m) => this.opts.send(m), iceServers: () => this.iceServers, talk: this.talk, changed: () => this.showTalk(),
  });
  private clientId: string | null = null;
  private driver: string | null = null;
  /** The user tapped "Listen": the car's sound plays (until tapped again). */
  private listening = false;
  private state: VideoState = 'none';
  private camera: string | null = null;
  private limit = 0;
  /** With --sfu: whether the video goes through it now; null without one. */
  private sfu: VideoStatus['sfu'] | null = null;
  /** From the answer to `watch` (never the welcome), asked for again before they expire. */
  private iceServers: IceServer[] = [];
  private readonly renewal = new IceRenewal(() => {
    if (this.asked) this.opts.send({ type: 'watch' });
  });
  private pc: RTCPeerConnection | null = null;
  /** The camera this page has seen since it loaded: its loss is "lost", not "none". */
  private hadCamera = false;
  /** This connection has sent `watch` (and not `unwatch` since). */
  private asked = false;
  /** The page is out of view: it does not ask for video. */
  private hidden = false;
  /** Video was live at some point: the next live picture after a loss is "back". */
  private wasLive = false;
  private lastFrameAt = 0;
  private lostAt = 0;
  private figures: VideoFigures | null = null;
  private backTimer: ReturnType<typeof setTimeout> | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private stage = false;
  private layoutWanted = false;

  constructor(root: Document, private readonly opts: VideoViewOptions) {
    this.section = root.querySelector<HTMLElement>('#video')!;
    this.video = root.querySelector<HTMLVideoElement>('#video-feed')!;
    this.overlay = root.querySelector<HTMLElement>('#video-state')!;
    this.status = root.querySelector<HTMLElement>('#st-video')!;
    this.sound = root.querySelector<HTMLButtonElement>('#video-sound')!;
    this.sound.addEventListener('click', () => this.setListening(!this.listening));
    this.talkButton = root.querySelector<HTMLButtonElement>('#video-talk')!;
    this.holdToTalk();
    this.hidden = root.visibilityState === 'hidden'; // opened in a background tab
    this.watchFrames();
    this.render();
  }

  /** A new connection: video is asked for once there is a camera (a page without one sends nothing more). */
  welcome(message: WelcomeMessage): void {
    this.iceServers = [];
    this.renewal.cancel();
    this.limit = message.video?.limit ?? 0;
    this.sfu = message.video?.sfu ?? null;
    this.clientId = message.clientId;
    this.driver = message.state.driver;
    this.asked = false;
    this.cameraChanged(message.video?.camera ?? null);
  }

  message(message: ServerMessage): void {
    switch (message.type) {
      case 'ice-servers':
        this.iceServers = message.iceServers;
        return this.renewal.schedule(this.asked ? message.expiresInS : null);
      case 'video':
        this.limit = message.limit;
        if ((message.sfu ?? null) !== this.sfu) {
          this.sfu = message.sfu ?? null;
          this.render();
        }
        return this.cameraChanged(message.camera);
      case 'viewing':
        this.limit = message.limit;
        if (message.status === 'limited') {
          this.closePeer();
          return this.setState('limited');
        }
        // Back in view, the paused picture stays until the first new frame replaces it.
        if (message.status === 'admitted' && this.state !== 'live' && this.state !== 'paused') return this.setState('connecting');
        return;
      case 'signal':
        if (message.from === TALK_PEER && this.asked) return this.talkLink.signal(message); // the server sends it to the driver only
        if (message.from !== this.camera) return; // only the camera offers to a viewer
        if (!this.asked) return; // an offer that crossed this page's unwatch
        if (message.description?.type === 'offer') void this.answer(message.from, message.description.sdp);
        else if (message.candidate !== undefined && this.pc) void addCandidate(this.pc, message.candidate);
        return;
      default:
    }
  }

  /**
   * The page went out of view (another tab, a locked phone) or came back. Hidden, it gives its viewer slot
   * back (`unwatch`): nobody sees the picture, a phone saves its data and battery, and a spectator
   * waiting as "limited" gets the slot. Back in view, it asks again, behind whoever waits already.
   */
  visibility(hidden: boolean): void {
    if (hidden === this.hidden) return;
    this.hidden = hidden;
    if (hidden) {
      if (this.asked) this.opts.send({ type: 'unwatch' });
      this.asked = false;
      this.renewal.cancel();
      this.closePeer();
      this.talkLink.close();
      if (this.camera !== null) this.setState('paused');
    } else if (this.camera !== null) {
      this.ask();
    }
  }

  /** The connection to the server ended: the camera's offers came through it, so the video goes with it. */
  disconnected(): void {
    this.renewal.cancel();
    this.closePeer();
    this.talkLink.close();
    this.camera = null;
    if (this.state !== 'none' && this.state !== 'lost') this.setState(this.hadCamera ? 'lost' : 'none');
  }

  private cameraChanged(camera: VideoStatus['camera']): void {
    if (camera === this.camera) return;
    this.camera = camera;
    this.closePeer(); // a new camera (or none): the old connections are of no use
    this.talkLink.close();
    if (camera === null) {
      this.setState(this.hadCamera ? 'lost' : 'none');
      return;
    }
    this.hadCamera = true;
    this.setState(this.hidden ? 'paused' : 'connecting');
    this.ask();
  }

  /** Asked once per connection (and again after a pause): the server serves this page whenever there is a camera. */
  private ask(): void {
    if (!this.asked && !this.hidden && typeof RTCPeerConnection === 'function') this.asked = this.opts.send({ type: 'watch' });
  }

  /** The camera's offer: a new connection to it (any earlier one is replaced), answered. */
  private async answer(from: string, sdp: string): Promise<void> {
    this.closePeer();
    const pc = new RTCPeerConnection(rtcConfiguration(this.iceServers));
    this.pc = pc;
    const stream = new MediaStream(); // the picture and the sound, whichever streams the offer put them in
    pc.ontrack = (event) => {
      if (this.pc !== pc) return;
      stream.addTrack(event.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
      this.sound.hidden = stream.getAudioTracks().length === 0;
      void this.video.play().catch(() => {}); // muted: allowed without a gesture
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc || pc.connectionState !== 'failed') return;
      this.closePeer(); // the camera offers again when its side fails too
      this.setState('connecting');
    };
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      this.talk.attach(pc, sdp);
      this.showTalk();
      const answer = await localDescription(pc, (candidate) => {
        if (this.pc === pc) this.opts.send({ type: 'signal', to: from, candidate });
      });
      if (this.pc === pc) this.opts.send({ type: 'signal', to: from, description: answer });
    } catch {
      if (this.pc === pc) this.closePeer(); // an offer we cannot take: wait for the next
    }
    if (this.pc === pc) this.statsTimer ??= setInterval(() => void this.readStats(), TICK_MS);
  }

  private closePeer(): void {
    const pc = this.pc;
    this.pc = null;
    if (pc) {
      pc.ontrack = pc.onconnectionstatechange = pc.onicecandidate = null;
      pc.close();
    }
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    this.figures = null;
    this.video.srcObject = null;
    this.sound.hidden = true;
    this.talk.detach(pc);
    this.showTalk();
  }

  /**
   * Notes each new frame: as shown (requestVideoFrameCallback, only while the video is on screen), and as
   * decoded (the first one loads the element; later ones raise the stats' decoded count, see readStats).
   */
  private watchFrames(): void {
    this.video.addEventListener('loadeddata', () => this.frame());
    const video = this.video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    if (typeof video.requestVideoFrameCallback !== 'function') return;
    const onFrame = (): void => {
      this.frame();
      video.requestVideoFrameCallback!(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  private frame(): void {
    this.lastFrameAt = performance.now();
    if (this.pc === null) return;
    if (this.state === 'connecting' || this.state === 'frozen' || this.state === 'lost' || this.state === 'paused') {
      this.setState(this.wasLive && this.state !== 'frozen' && this.state !== 'paused' ? 'back' : 'live');
    }
  }

  private async readStats(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    let report: RTCStatsReport;
    try {
      report = await pc.getStats();
    } catch {
      return;
    }
    if (this.pc !== pc) return;
    const previous = this.figures;
    this.figures = videoFigures(report.values() as Iterable<Record<string, unknown> & { type: string; id: string }>, previous);
    if (this.figures.framesDecoded > (previous?.framesDecoded ?? 0)) this.frame();
    const showing = this.state === 'live' || this.state === 'back';
    if (showing && performance.now() - this.lastFrameAt > FROZEN_MS) this.setState('frozen');
    else this.render();
  }

  /** Who drives now (the `state` messages): only the driver's page offers Talk. */
  driverIs(driver: string | null): void {
    if (driver === this.driver) return;
    this.driver = driver;
    if (driver !== this.clientId) this.talkLink.close(); // the camera drops it too: the server tells it at once
    this.showTalk();
  }

  private showTalk(): void {
    const may = this.talk.available && this.driver !== null && this.driver === this.clientId;
    if (!may) this.talk.release();
    this.talkButton.hidden = !may;
  }

  /** Talk sends while it is held (pointer or Enter key) and stops the moment it is let go, however. */
  private holdToTalk(): void {
    const button = this.talkButton;
    const press = (): void => {
      button.setAttribute('aria-pressed', 'true');
      void this.talk.press();
    };
    const release = (): void => {
      button.setAttribute('aria-pressed', 'false');
      this.talk.release();
    };
    button.addEventListener('pointerdown', press);
    for (const type of ['pointerup', 'pointercancel', 'pointerleave', 'blur']) button.addEventListener(type, release);
    button.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.repeat) press(); });
    button.addEventListener('keyup', (e) => { if (e.key === 'Enter') release(); });
  }

  /** Sound on or off: a tap on "Listen" is the gesture browsers want before a page makes sound. */
  private setListening(on: boolean): void {
    this.listening = on;
    this.video.muted = !on;
    if (on) void this.video.play().catch(() => {});
    this.sound.textContent = on ? 'Mute' : 'Listen';
    this.sound.setAttribute('aria-pressed', String(on));
  }

  private setState(state: VideoState): void {
    if (state === 'live' || state === 'back') this.wasLive = true;
    const changed = state !== this.state;
    this.state = state;
    clearTimeout(this.backTimer);
    if (state === 'back') this.backTimer = setTimeout(() => this.state === 'back' && this.setState('live'), BACK_MS);
    if (changed && state === 'lost') {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = setTimeout(() => this.render(), LOST_LINGER_MS + 50);
      this.lostAt = performance.now();
    }
    this.render();
  }

  private render(): void {
    const figures = this.figures ? describeFigures(this.figures) : '';
    const frozenFor = ((performance.now() - this.lastFrameAt) / 1000).toFixed(0);
    const texts: Record<VideoState, [status: string, overlay: string]> = {
      none: ['no camera', ''],
      connecting: ['connecting…', 'Connecting to the camera…'],
      limited: [`limited to ${this.limit} viewers`, `Video limited to ${this.limit} viewers`],
      live: [`live${figures ? ` · ${figures}` : ''}`, ''],
      frozen: ['frozen', `Video frozen: the picture is ${frozenFor} s old`],
      lost: ['camera lost', 'Camera lost'],
      back: [`back${figures ? ` · ${figures}` : ''}`, 'Camera back'],
      paused: ['paused while hidden', 'Resuming the video…'],
    };
    const [status, overlay] = texts[this.state];
    const route = this.sfu === 'up' ? ' · via the video server' : this.sfu === 'down' ? ' · video server lost: direct from the camera' : '';
    this.status.textContent = this.state === 'none' ? status : status + route;
    this.status.dataset.state = this.state;
    if (this.sfu === null) delete this.status.dataset.sfu;
    else this.status.dataset.sfu = this.sfu;
    this.status.parentElement!.hidden = this.state === 'none'; // no room taken where there is no camera
    this.overlay.textContent = overlay;
    this.overlay.dataset.state = this.state;
    const lingering = this.state === 'lost' && performance.now() - this.lostAt < LOST_LINGER_MS;
    // A paused picture keeps the layout it had: the page comes back as it was left.
    this.setStage(this.state === 'live' || this.state === 'frozen' || this.state === 'back' || ((lingering || this.state === 'paused') && this.stage));
  }

  /** The video stage on or off, but never while the joystick is held: the pad would move under the finger. */
  private setStage(on: boolean): void {
    this.layoutWanted = on;
    whenReleased(this.applyStage);
  }

  private readonly applyStage = (): void => {
    if (this.layoutWanted === this.stage) return;
    this.stage = this.layoutWanted;
    this.section.hidden = !this.stage;
    document.body.classList.toggle('video-on', this.stage);
  };
}
