// What the camera page asks the camera for, and its problems in words: pure, so Node tests can check them.

export interface CaptureSettings {
  /** A chosen camera, or null for the one facing `facing` (the rear one on a phone by default). */
  deviceId: string | null;
  facing: 'environment' | 'user';
  width: number;
  height: number;
  frameRate: number;
}

export const DEFAULT_CAPTURE: CaptureSettings = { deviceId: null, facing: 'environment', width: 640, height: 480, frameRate: 30 };

/** getUserMedia's video constraints, as this page uses them (a MediaTrackConstraints). */
export interface VideoConstraints {
  deviceId?: { exact: string };
  facingMode?: { ideal: CaptureSettings['facing'] };
  width: { ideal: number };
  height: { ideal: number };
  frameRate: { ideal: number; max: number };
}

/** The constraints for getUserMedia (video only: the car's camera has nothing to say). */
export function captureConstraints(s: CaptureSettings): { audio: false; video: VideoConstraints } {
  return {
    audio: false,
    video: {
      ...(s.deviceId ? { deviceId: { exact: s.deviceId } } : { facingMode: { ideal: s.facing } }),
      width: { ideal: s.width },
      height: { ideal: s.height },
      frameRate: { ideal: s.frameRate, max: s.frameRate },
    },
  };
}

/** Why there is no picture, in words a user can act on. */
export function captureProblem(err: unknown): string {
  const name = (err as { name?: string })?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'camera access was refused: allow it in the browser\'s settings for this site, then reload';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no camera found on this device';
    case 'NotReadableError':
    case 'AbortError':
      return 'the camera is in use by another app, or failed to start';
    default:
      return `the camera could not start (${(err as Error)?.message ?? String(err)})`;
  }
}
