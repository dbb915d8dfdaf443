// "Show in the arena" on /recordings: the shown recording as a ghost on every simulated car's map
// (POST /api/ghosts, src/recording/ghost-routes.ts), and "Remove the ghost" for the one this page started
// (the key its start answered with is kept in this page's memory only). The server's refusals (too many
// ghosts, too often, the token) are said as it words them.

import { call, NeedsToken } from './api.js';

interface Started { ghost: { id: string; label: string }; key: string; durationMs: number }

export interface GhostButton {
  /** The recording now shown (null: none). */
  showing(name: string | null): void;
}

export function ghostButton(fail: (err: unknown) => void): GhostButton {
  const show = document.querySelector<HTMLButtonElement>('#show-ghost')!;
  const remove = document.querySelector<HTMLButtonElement>('#remove-ghost')!;
  const status = document.querySelector<HTMLElement>('#ghost-status')!;
  let name: string | null = null;
  let mine: { id: string; key: string; ends: ReturnType<typeof setTimeout> } | null = null;

  const forget = (): void => {
    if (mine !== null) clearTimeout(mine.ends);
    mine = null;
    remove.hidden = true;
  };

  show.addEventListener('click', () => {
    if (name === null) return;
    show.disabled = true;
    start(name).then((started) => {
      forget();
      // The ghost goes by itself at its end (a few seconds after): the button then has nothing to remove.
      mine = { id: started.ghost.id, key: started.key, ends: setTimeout(forget, started.durationMs + 5_000) };
      remove.hidden = false;
      status.textContent = `Shown in the arena as ${started.ghost.label} (${started.ghost.id}, ${(started.durationMs / 1000).toFixed(1)} s): `
        + 'every simulated car\'s map shows it; nobody can drive it.';
    }, (err: unknown) => {
      if (err instanceof NeedsToken) return fail(err);
      status.textContent = err instanceof Error ? err.message : String(err);
    }).finally(() => {
      show.disabled = false;
    });
  });

  remove.addEventListener('click', () => {
    if (mine === null) return;
    const { id, key } = mine;
    forget();
    call(`/api/ghosts/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { 'X-Ghost-Key': key } }).then((r) => {
      status.textContent = r.status === 204 ? `${id} removed from the arena.` : `${id} had gone already.`;
    }, (err: unknown) => {
      status.textContent = err instanceof Error ? err.message : String(err);
    });
  });

  return {
    showing(shown) {
      name = shown;
    },
  };
}

async function start(recording: string): Promise<Started> {
  const response = await call('/api/ghosts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ recording }) });
  if (response.status !== 201) throw new Error(`Not shown: ${(await response.text()).trim()}`);
  return (await response.json()) as Started;
}
