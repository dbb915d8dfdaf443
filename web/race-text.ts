// Words and numbers for races and cars, shared by the car page (race-panel.ts, fleet-strip.ts) and the
// lobby (lobby.ts): one way of saying a lap time, a race's state and a car's state everywhere.
import type { CarListing, RaceMessage } from './messages.js';

/** 9.87 s, or 1:02.3 past a minute; a dash for nothing. */
export function lapTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}:${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}`;
}

/** One line about the race; `elapsedMs` is the clock now (running: counted on from the message). */
export function raceHeadline(race: RaceMessage, elapsedMs = race.elapsedMs ?? 0): string {
  const laps = `${race.laps} lap${race.laps === 1 ? '' : 's'}`;
  switch (race.phase) {
    case 'none':
      return race.note ? `No race: ${race.note}.` : 'No race yet.';
    case 'countdown':
      return `A race of ${laps} is about to start: cars held until GO.`;
    case 'running': {
      const leader = race.standings[0];
      const lead = leader ? ` · leader ${leader.car} (${leader.laps}/${race.laps})` : '';
      return `Racing, ${laps} · ${lapTime(elapsedMs)}${lead}`;
    }
    case 'finished': {
      const winner = race.standings.find((s) => s.status === 'finished');
      const result = winner ? `${winner.car}${winner.driver ? ` (${winner.driver})` : ''} won in ${lapTime(winner.finishMs)}` : 'nobody finished';
      return `Race over (${laps}): ${result}${race.note ? ` · ${race.note}` : ''}.`;
    }
  }
}

/** A car's state in a few words, for the lobby and the strip of other cars. */
export function carState(car: CarListing): { link: string; seat: string; watching: string; camera: string } {
  return {
    link: car.linkState === 'connected' ? `${car.link} · connected` : `${car.link} · ${car.linkState}`,
    seat: car.driver === null ? 'free to drive' : `driven by ${car.driverName ?? car.driver}`,
    watching: `${car.spectators} watching`,
    camera: car.video.camera === null ? 'no camera' : `camera on · ${car.video.viewers}/${car.video.limit} viewing`,
  };
}

/** The car page's address; `watch`: come to watch without taking a free seat. */
export function carHref(name: string, watch = false): string {
  return `/car/${encodeURIComponent(name)}${watch ? '?watch' : ''}`;
}
