// The car phone's microphone, sent to every viewer beside the picture (off on a viewer's page until it
// taps "Listen"). Asked for on its own, after the camera: a phone without a microphone, or a refusal,
// leaves the video as it was, only silent.

export class CameraMicrophone {
  private track: MediaStreamTrack | null = null;

  get current(): MediaStreamTrack | null {
    return this.track?.readyState === 'live' ? this.track : null;
  }

  /** Opens the microphone (voice tuned: echo cancellation, noise suppression); null when there is none or it is refused. */
  async start(): Promise<MediaStreamTrack | null> {
    if (this.current) return this.track;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
      this.track = stream.getAudioTracks()[0] ?? null;
    } catch {
      this.track = null;
    }
    return this.track;
  }

  stop(): void {
    this.track?.stop();
    this.track = null;
  }
}
