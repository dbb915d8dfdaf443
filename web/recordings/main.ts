// The recordings page (/recordings): the list of driving sessions the server recorded (--record), one of
// them as a timeline with its simulated track, and the file as a download. With --token the server
// answers only requests that carry the token (api.ts); the page asks for it when it has none.

import { download, fetchRecording, fetchTrack, listRecordings, NeedsToken, setToken, takeTokenFromFragment, type RecordingSummary } from './api.js';
import { aimBackLink } from './back-link.js';
import { parseLines } from './lines.js';
import { drawMap } from './map.js';
import { drawTimeline } from './timeline.js';
import { ghostButton } from './ghost-button.js';

const list = document.querySelector<HTMLTableSectionElement>('#list tbody')!;
const empty = document.querySelector<HTMLElement>('#empty')!;
const notice = document.querySelector<HTMLElement>('#notice')!;
const form = document.querySelector<HTMLFormElement>('#auth-form')!;
const view = document.querySelector<HTMLElement>('#view')!;
const title = document.querySelector<HTMLElement>('#view-title')!;
const meta = document.querySelector<HTMLElement>('#view-meta')!;
const readout = document.querySelector<HTMLElement>('#cursor-readout')!;
const slider = document.querySelector<HTMLInputElement>('#cursor')!;
const downloadButton = document.querySelector<HTMLButtonElement>('#download')!;

let shown: string | null = null;
const ghost = ghostButton((err) => fail(err));

takeTokenFromFragment();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = form.querySelector<HTMLInputElement>('input[type="password"]')!;
  if (!input.value.trim()) return;
  setToken(input.value.trim());
  input.value = '';
  void aimBackLink(document.querySelector<HTMLAnchorElement>('#back')!);
void refresh();
});

downloadButton.addEventListener('click', () => {
  if (shown !== null) download(shown).catch(fail);
});

function fail(err: unknown): void {
  if (err instanceof NeedsToken) {
    form.hidden = false;
    notice.textContent = err.wrong ? 'That token was refused.' : 'The recordings need the access token.';
    return;
  }
  notice.textContent = err instanceof Error ? err.message : String(err);
}

async function refresh(): Promise<void> {
  let recordings: RecordingSummary[];
  try {
    recordings = await listRecordings();
  } catch (err) {
    return fail(err);
  }
  form.hidden = true;
  notice.textContent = '';
  empty.hidden = recordings.length > 0;
  list.replaceChildren(...recordings.map(row));
}

const COLUMNS = [...document.querySelectorAll('#list thead th')].map((th) => th.textContent ?? '');

function row(r: RecordingSummary): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const cells = [
    r.started ? new Date(r.started).toLocaleString() : '?',
    `${r.car ?? '?'}${r.part > 1 ? ` (part ${r.part})` : ''}`,
    r.drivers.join(', ') || '–',
    `${(r.durationMs / 1000).toFixed(1)} s`,
    `${r.distanceM.toFixed(2)} m`,
    status(r),
  ];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.textContent = text;
    td.dataset.label = COLUMNS[i]; // a phone shows each row as a card, every value under its name
    tr.append(td);
  });
  const td = document.createElement('td');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'small';
  button.textContent = 'Show';
  button.setAttribute('aria-label', `Show the session of ${cells[0]} on ${cells[1]}`);
  button.addEventListener('click', () => void show(r));
  td.append(button);
  tr.append(td);
  return tr;
}

/** Whether the file is whole; one cut short (the server was killed) still replays, up to its last line. */
function status(r: RecordingSummary): string {
  if (r.complete) return r.endReason === 'server-stopped' ? 'ended by the server' : 'complete';
  if (r.inProgress) return 'being recorded';
  if (r.cutShort) return 'cut short: no end line (the server was killed, or the power went)';
  return `incomplete: ${r.problem ?? ''}`;
}

async function show(r: RecordingSummary): Promise<void> {
  try {
    const [text, track] = await Promise.all([fetchRecording(r.name), fetchTrack(r.name)]);
    const { header, lines } = parseLines(text);
    shown = r.name;
    ghost.showing(r.name);
    view.hidden = false;
    title.textContent = `${header?.car ?? r.car ?? '?'}, ${r.started ? new Date(r.started).toLocaleString() : '?'}`;
    meta.textContent = `${header?.codec ?? '?'} over ${header?.link ?? '?'} · driver ${r.drivers.join(', ') || '?'} · `
      + `${(r.durationMs / 1000).toFixed(1)} s · ${r.writes} writes · ${track.distanceM.toFixed(2)} m on the simulator`
      + `${header?.server ? ` · recorded by ${header.server}` : ''}${r.cutShort ? ' · cut short here: the server was killed, or the power went' : ''}`;
    const map = drawMap(document.querySelector<HTMLElement>('#rec-map')!, track);
    drawTimeline(document.querySelector<HTMLElement>('#timeline')!, slider, lines, r.durationMs, (t, summary) => {
      readout.textContent = summary;
      map.at(t);
    });
    view.scrollIntoView({ block: 'start' });
  } catch (err) {
    fail(err);
  }
}

void aimBackLink(document.querySelector<HTMLAnchorElement>('#back')!);
void refresh();
