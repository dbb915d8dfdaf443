// The lobby (`/` when the server has several cars): every car with its state, live, and a way to drive
// or watch each; the race, if there is one. Its own bundle (lobby.js): it drives nothing, so it needs
// none of the controller page's code.
import type { CarListing, RaceMessage } from './messages.js';
import { openLobbyFeed } from './lobby-feed.js';
import { carHref, carState, lapTime, raceHeadline } from './race-text.js';

const list = document.querySelector<HTMLElement>('#cars')!;
const feedState = document.querySelector<HTMLElement>('#feed-state')!;
const raceLine = document.querySelector<HTMLElement>('#lobby-race')!;
const raceTable = document.querySelector<HTMLTableElement>('#lobby-standings')!;

function line(className: string, text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

function link(href: string, text: string, label: string, className: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.className = className;
  a.textContent = text;
  a.setAttribute('aria-label', label);
  return a;
}

function card(car: CarListing): HTMLElement {
  const state = carState(car);
  const item = document.createElement('li');
  item.className = 'lobby-car';
  item.dataset.car = car.name;
  item.dataset.link = car.linkState;
  item.dataset.seat = car.driver === null ? 'free' : 'taken';
  item.style.setProperty('--car', car.colour);
  const title = document.createElement('h2');
  title.textContent = car.name;
  const actions = document.createElement('div');
  actions.className = 'lobby-actions';
  actions.append(
    link(carHref(car.name), car.driver === null ? 'Drive' : 'Queue to drive', `Drive ${car.name}`, 'button drive'),
    link(carHref(car.name, true), 'Watch', `Watch ${car.name}`, 'button watch'),
  );
  item.append(title, line('lobby-link', `${state.link} · ${car.codec}`), line('lobby-seat', state.seat),
    line('lobby-watching', state.watching), line('lobby-camera', state.camera), actions);
  return item;
}

/** The race's clock runs on between messages (they come when something changes, not every second). */
let race: RaceMessage | null = null;
let raceAt = 0;
setInterval(() => {
  if (race?.phase === 'running') raceLine.textContent = raceHeadline(race, (race.elapsedMs ?? 0) + performance.now() - raceAt);
}, 250);

function renderRace(message: RaceMessage): void {
  race = message;
  raceAt = performance.now();
  raceLine.textContent = raceHeadline(message);
  raceTable.hidden = message.standings.length === 0;
  raceTable.tBodies[0].replaceChildren(...message.standings.map((s) => {
    const row = document.createElement('tr');
    const time = s.status === 'finished' ? lapTime(s.finishMs) : s.status;
    for (const text of [String(s.position), s.car, s.driver ?? '–', `${s.laps}/${message.laps}`, lapTime(s.bestLapMs), time]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

openLobbyFeed({
  cars: (cars) => list.replaceChildren(...cars.map(card)),
  race: renderRace,
  connected: (up) => {
    feedState.textContent = up ? 'live' : 'reconnecting…';
    feedState.dataset.state = up ? 'open' : 'reconnecting';
  },
});
