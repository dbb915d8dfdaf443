// Gamepad driving (the browser Gamepad API): the axes, dead zone and buttons of the settings (the left
// stick drives and B (or circle) stops unless changed; settings.ts). Browsers expose pads only by polling,
// so a frame loop runs while at least one is connected.
// The stick is reported as it is, whether or not the page may drive: after a stop, a reconnect or a new
// seat the drive loop waits for it to come back to the centre (arming.ts), which it can only see if a
// stick held all along is reported all along. A pad is also armed at connection: its stick is not
// reported until it has been seen in the dead zone once (a pad plugged in, or a page opened, with the
// stick pushed, or a pad whose axis rests at -1, must not drive off).
// The horn's button is held like the horn button on the page; the lights' button toggles. Neither is
// motion: they go to `onAccessory`, never to the drive loop.

import { expo, stickDemand, type Vector } from './demand.js';
import type { GamepadSettings } from './settings.js';

export interface GamepadOptions {
  /** The stick's demand as the wire vector (the speed mapping applied), or null when let go. */
  onMove(vector: Vector | null): void;
  onStop(): void;
  onAccessory(action: 'horn' | 'lights', down: boolean): void;
  onConnected(names: string[]): void;
  settings(): { gamepad: GamepadSettings; expo: number };
  /** A stick's fraction (after its dead zone and expo) as the wire vector: the speed mapping. */
  shape(fraction: Vector): Vector;
}

const pressed = (pad: Gamepad, index: number) => index >= 0 && (pad.buttons[index]?.pressed ?? false);

export function attachGamepads(target: Window, opts: GamepadOptions): void {
  if (!('getGamepads' in navigator)) return;
  let frame = 0;
  let wasHeld = false;
  let last = '';
  let armedPad: string | null = null; // the pad whose stick has been seen centred

  const pads = () => navigator.getGamepads().filter((p): p is Gamepad => p !== null && p.connected);

  const buttons = buttonEdges(opts);

  const poll = () => {
    frame = 0;
    const list = pads();
    if (list.length === 0) return;
    const pad = list[0];
    const padKey = `${pad.index}:${pad.id}`;
    const { gamepad: g, expo: amount } = opts.settings();
    const stick = readStick(pad, g);
    if (stick === null) armedPad = padKey;
    const vector = armedPad === padKey && stick !== null ? opts.shape(expo(stick, amount)) : null;
    // Only changes are reported (the drive loop does the steady re-sending); a stick's jitter below
    // the wire's 1/100 resolution is not a change.
    const key = vector ? `${vector.x.toFixed(2)},${vector.y.toFixed(2)}` : '';
    if (vector && key !== last) opts.onMove(vector);
    else if (!vector && wasHeld) opts.onMove(null);
    last = key;
    wasHeld = vector !== null;
    // After the stick: a push and Stop in one frame end stopped.
    buttons.set('stop', pressed(pad, g.stopButton));
    buttons.set('horn', pressed(pad, g.hornButton));
    buttons.set('lights', pressed(pad, g.lightsButton));
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
      buttons.padGone();
    }
  };
  target.addEventListener('gamepadconnected', changed);
  target.addEventListener('gamepaddisconnected', changed);
}

/** The stick's demand after the settings' axes, inversion and dead zone; null inside the dead zone. */
function readStick(pad: Gamepad, g: GamepadSettings): Vector | null {
  const axisX = (pad.axes[g.steerAxis] ?? 0) * (g.invertSteer ? -1 : 1);
  const axisY = (pad.axes[g.throttleAxis] ?? 0) * (g.invertThrottle ? -1 : 1);
  return stickDemand(axisX, axisY, g.deadZone);
}

/** The buttons' edges: a press of stop or lights, the horn's press and release. */
function buttonEdges(opts: GamepadOptions) {
  const wasDown = { stop: false, horn: false, lights: false };
  const set = (name: 'stop' | 'horn' | 'lights', down: boolean) => {
    const was = wasDown[name];
    wasDown[name] = down;
    if (down === was) return;
    if (name === 'stop') {
      if (down) opts.onStop();
    } else if (name === 'horn' || down) {
      opts.onAccessory(name, down);
    }
  };
  return {
    set,
    /** No pad any more: a held horn is released, and nothing is down. */
    padGone() {
      set('horn', false);
      wasDown.stop = wasDown.lights = false;
    },
  };
}
