// Gamepad driving (the browser Gamepad API): the left stick drives, B (or circle) stops.
// Browsers expose pads only by polling, so a frame loop runs while at least one is connected.
// The stick is reported as it is, whether or not the page may drive: after a stop, a reconnect or a new
// seat the drive loop waits for it to come back to the centre (arming.ts), which it can only see if a
// stick held all along is reported all along. A pad is also armed at connection: its stick is not
// reported until it has been seen in the dead zone once (a pad plugged in, or a page opened, with the
// stick pushed, or a pad whose axis rests at -1, must not drive off).

import { stickDemand, type Vector } from './demand.js';

const STOP_BUTTON = 1; // "standard" mapping: the right face button (B / circle)

export interface GamepadOptions {
  onMove(vector: Vector | null): void;
  onStop(): void;
  onConnected(names: string[]): void;
}

export function attachGamepads(target: Window, opts: GamepadOptions): void {
  if (!('getGamepads' in navigator)) return;
  let frame = 0;
  let wasHeld = false;
  let last = '';
  let stopWasDown = false;
  let armedPad: string | null = null; // the pad whose stick has been seen centred

  const pads = () => navigator.getGamepads().filter((p): p is Gamepad => p !== null && p.connected);

  const poll = () => {
    frame = 0;
    const list = pads();
    if (list.length === 0) return;
    const pad = list[0];
    const padKey = `${pad.index}:${pad.id}`;
    const stick = stickDemand(pad.axes[0] ?? 0, pad.axes[1] ?? 0);
    if (stick === null) armedPad = padKey;
    const vector = armedPad === padKey ? stick : null;
    // Only changes are reported (the drive loop does the steady re-sending); a stick's jitter below
    // the wire's 1/100 resolution is not a change.
    const key = vector ? `${vector.x.toFixed(2)},${vector.y.toFixed(2)}` : '';
    if (vector && key !== last) opts.onMove(vector);
    else if (!vector && wasHeld) opts.onMove(null);
    last = key;
    wasHeld = vector !== null;
    // After the stick: a push and B in one frame end stopped.
    const stopDown = pad.buttons[STOP_BUTTON]?.pressed ?? false;
    if (stopDown && !stopWasDown) opts.onStop();
    stopWasDown = stopDown;
    frame = requestAnimationFrame(poll);
  };

  const changed = () => {
    const list = pads();
    opts.onConnected(list.map((p) => p.id));
    if (list.length > 0 && frame === 0) frame = requestAnimationFrame(poll);
    if (list.length === 0) {
      last = '';
      if (wasHeld) opts.onMove(null); // a pad that is gone holds nothing
      wasHeld = false;
    }
  };
  target.addEventListener('gamepadconnected', changed);
  target.addEventListener('gamepaddisconnected', changed);
}
