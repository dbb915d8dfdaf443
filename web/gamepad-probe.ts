// "Which button is this?": while the settings are open, watches the gamepads for a button going down or
// an axis moving well away from where it rested when the watch began (a trigger that rests at -1 is not
// "moved"), and reports it, for the settings' live readout and their Detect buttons.

export type PadEvent = { kind: 'button'; index: number } | { kind: 'axis'; index: number; value: number };

/** Standard-mapping names (https://w3c.github.io/gamepad/#remapping), for people who know their pad. */
export const STANDARD_BUTTONS = [
  'A / cross', 'B / circle', 'X / square', 'Y / triangle', 'left bumper', 'right bumper', 'left trigger',
  'right trigger', 'back / select', 'start', 'left stick press', 'right stick press', 'd-pad up', 'd-pad down',
  'd-pad left', 'd-pad right', 'home',
];
export const STANDARD_AXES = ['left stick, across', 'left stick, up and down', 'right stick, across', 'right stick, up and down'];

/** How far from its resting value an axis must move to count. */
const MOVED = 0.5;

export class GamepadProbe {
  private frame = 0;
  private rest: number[] = [];
  private down: boolean[] = [];
  private moved: boolean[] = [];
  private padKey = '';

  constructor(private readonly report: (event: PadEvent) => void) {}

  start(): void {
    if (this.frame !== 0 || !('getGamepads' in navigator)) return;
    this.padKey = '';
    const poll = () => {
      this.frame = requestAnimationFrame(poll);
      const pad = navigator.getGamepads().find((p): p is Gamepad => p !== null && p.connected);
      if (!pad) return;
      const key = `${pad.index}:${pad.id}`;
      if (key !== this.padKey) { // a new pad: where it rests now is its rest
        this.padKey = key;
        this.rest = [...pad.axes];
        this.down = pad.buttons.map((b) => b.pressed);
        this.moved = [];
        return;
      }
      pad.buttons.forEach((b, index) => {
        if (b.pressed && !this.down[index]) this.report({ kind: 'button', index });
        this.down[index] = b.pressed;
      });
      pad.axes.forEach((value, index) => {
        const moved = Math.abs(value - (this.rest[index] ?? 0)) > MOVED;
        if (moved && !this.moved[index]) this.report({ kind: 'axis', index, value });
        this.moved[index] = moved;
      });
    };
    this.frame = requestAnimationFrame(poll);
  }

  stop(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }
}
