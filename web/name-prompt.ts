// The driver's name: asked once, the first time someone opens a car to drive it (a line under the top of
// the page, never a modal: the car can be driven and stopped while it waits), kept with the settings and
// changed there. Skipping keeps no name: the server then shows a default like "Driver 3" (never a
// connection id), the same one for this browser's every connection while the server runs: the name key
// (name-key.ts). The server hears the name on every connection (its names last as long as one does).
// A watch-only page (`?watch`) is not asked: it never drives.

import type { ClientMessage } from './messages.js';
import type { NameKey } from './name-key.js';
import { copySettings, nameProblem, type SettingsStore } from './settings.js';

export interface NamePromptOptions {
  send(message: ClientMessage): boolean;
  /** A watch-only page: no question. */
  watching: boolean;
  /** This browser's key to its default name. */
  key: NameKey;
}

export class NamePrompt {
  private readonly input: HTMLInputElement;
  private readonly problem: HTMLElement;
  private online = false;
  private sent: string | null = null;

  constructor(private readonly form: HTMLFormElement, private readonly store: SettingsStore, private readonly opts: NamePromptOptions) {
    this.input = form.querySelector<HTMLInputElement>('input')!;
    this.problem = form.querySelector<HTMLElement>('.field-error')!;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.answer(this.input.value);
    });
    form.querySelector<HTMLButtonElement>('.skip-name')!.addEventListener('click', () => this.answer(''));
    store.onChange(() => this.update());
    this.update();
  }

  /** The name key to offer at the next upgrade, or null. */
  get key(): string | null {
    return this.opts.key.value;
  }

  /** A new connection's welcome (with its name key): the server knows this page's name again. */
  connected(nameKey?: string): void {
    this.opts.key.welcome(nameKey);
    this.online = true;
    this.sent = null;
    this.update();
  }

  offline(): void {
    this.online = false;
  }

  /** A name typed (saved, when it is one) or skipped (''). */
  private answer(raw: string): void {
    const problem = raw.trim() === '' ? null : nameProblem(raw);
    this.problem.textContent = problem ?? '';
    this.input.setAttribute('aria-invalid', String(problem !== null));
    if (problem !== null) return;
    this.store.set({ ...copySettings(this.store.value), name: raw.trim() });
  }

  private update(): void {
    const { name } = this.store.value;
    this.form.hidden = name !== null || this.opts.watching;
    if (this.online && name && name !== this.sent && this.opts.send({ type: 'name', name })) this.sent = name;
  }
}
