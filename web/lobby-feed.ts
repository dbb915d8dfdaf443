// The lobby's live feed (GET /api/cars/live, Server-Sent Events): every car's state whenever it
// changes, and the race. EventSource reconnects by itself; `cars` is called with the latest list.
import type { CarListing, RaceMessage } from './messages.js';

export interface FeedHandlers {
  cars(cars: CarListing[]): void;
  race?(race: RaceMessage): void;
  /** The stream is up (true) or lost and retrying (false). */
  connected?(up: boolean): void;
}

export function openLobbyFeed(handlers: FeedHandlers): { close(): void } {
  const source = new EventSource('/api/cars/live');
  const read = <T>(event: Event): T | null => {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch {
      return null; // not ours (a proxy's page?): wait for the next one
    }
  };
  source.addEventListener('cars', (event) => {
    const cars = read<CarListing[]>(event);
    if (Array.isArray(cars)) handlers.cars(cars);
  });
  source.addEventListener('race', (event) => {
    const race = read<RaceMessage>(event);
    if (race && typeof race === 'object') handlers.race?.(race);
  });
  source.addEventListener('open', () => handlers.connected?.(true));
  source.addEventListener('error', () => handlers.connected?.(false));
  return { close: () => source.close() };
}
