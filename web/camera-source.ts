// The camera page's picture: which camera, at what size and rate, tuned for driving: the track is
// marked as motion (encoders then keep the frame rate and give up sharpness first), and the rate is
// capped at what was asked so a phone does not spend its battery on frames nobody needs.
//
// Phones often cannot open two cameras at once, so a switch closes the old one before opening the next.

import { captureConstraints, type CaptureSettings, DEFAULT_CAPTURE } from './capture-settings.js';

export class CameraSource {
  private stream: MediaStream | null = null;
  private settings: CaptureSettings = { ...DEFAULT_CAPTURE };

  constructor(private readonly onEnded: () => void) {}

  get track(): MediaStreamTrack | null {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  get current(): CaptureSettings {
    return { ...this.settings };
  }

  /** Opens the camera these settings describe (closing any open one first). Throws as getUserMedia does. */
  async start(settings: CaptureSettings): Promise<MediaStreamTrack> {
    this.stop();
    const stream = await navigator.mediaDevices.getUserMedia(captureConstraints(settings));
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error('the camera gave no video');
    track.contentHint = 'motion';
    track.addEventListener('ended', () => {
      if (this.stream === stream) this.onEnded();
    });
    this.stream = stream;
    this.settings = { ...settings, deviceId: settings.deviceId ?? track.getSettings().deviceId ?? null };
    return track;
  }

  /** A new size or rate for the same camera, without closing it; a new camera is a restart. */
  async change(settings: CaptureSettings): Promise<MediaStreamTrack> {
    const track = this.track;
    if (track && settings.deviceId === this.settings.deviceId) {
      const { video } = captureConstraints(settings);
      try {
        await track.applyConstraints({ width: video.width, height: video.height, frameRate: video.frameRate });
        this.settings = { ...settings };
        return track;
      } catch {
        // Not every camera changes mode while open: open it afresh.
      }
    }
    return this.start(settings);
  }

  stop(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  /** The cameras there are (their names only once access was granted). */
  async cameras(): Promise<MediaDeviceInfo[]> {
    try {
      return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    } catch {
      return [];
    }
  }

  /** The preview's stream. */
  get mediaStream(): MediaStream | null {
    return this.stream;
  }
}
