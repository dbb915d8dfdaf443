// "Race my best lap" (docs/races.md): once the server keeps a best lap of this page's on this car (a
// `best-lap` message: after a lap is set, or after `welcome` and `name` when there is one), the race panel
// offers a ghost of it. Pressing sends `race-best-lap`; the ghost then shows on the map with the others
// (ghost-layer.ts), and a refusal (the arena is full, too many ghosts a minute) shows in the status line.

import type { BestLapMessage, ClientMessage } from './messages.js';
import { lapTime } from './race-text.js';

export class BestLapOffer {
  private readonly button: HTMLButtonElement;
  private readonly time: HTMLElement;
  private lap: BestLapMessage | null = null;
  private online = false;

  constructor(private readonly root: HTMLElement, send: (message: ClientMessage) => boolean) {
    this.button = root.querySelector<HTMLButtonElement>('#race-best-lap')!;
    this.time = root.querySelector<HTMLElement>('#best-lap-time')!;
    this.button.addEventListener('click', () => send({ type: 'race-best-lap' }));
    this.render();
  }

  /** The server keeps this best lap of ours (on this page's car). */
  offer(lap: BestLapMessage): void {
    this.lap = lap;
    this.render();
  }

  /** Whether a message can be sent now. */
  connected(online: boolean): void {
    this.online = online;
    this.render();
  }

  private render(): void {
    this.root.hidden = this.lap === null;
    this.button.disabled = !this.online;
    this.time.textContent = this.lap === null ? '' : `your best lap on ${this.lap.car}: ${lapTime(this.lap.lapMs)}, as a ghost to race`;
  }
}
