// Which car the camera page serves, so the person holding the phone knows: `/car/NAME/camera` names it;
// `/camera` is the only car's when there is one, and asks which when there are several (a phone strapped
// to the wrong car would show its drivers someone else's road).

import type { CarListing } from './messages.js';

export type CameraCar =
  | { kind: 'car'; name: string; colour: string | null }
  | { kind: 'pick'; cars: CarListing[] };

/** The car NAME a `/car/NAME/camera` path names (undefined for `/camera`). */
export function carInPath(pathname: string): string | undefined {
  const car = /^\/car\/([^/]+)\/camera\/?$/.exec(pathname)?.[1];
  if (car === undefined) return undefined;
  try {
    return decodeURIComponent(car);
  } catch {
    return car; // not valid percent-encoding: the server will say the car does not exist
  }
}

/** `cars`: GET /api/cars, or null when it could not be read (then only a named car is known by name). */
export function whichCar(pathname: string, cars: CarListing[] | null): CameraCar {
  const named = carInPath(pathname);
  const find = (name: string) => cars?.find((c) => c.name === name);
  if (named !== undefined) return { kind: 'car', name: named, colour: find(named)?.colour ?? null };
  if (cars !== null && cars.length > 1) return { kind: 'pick', cars };
  const only = cars?.[0];
  return { kind: 'car', name: only?.name ?? 'the car', colour: only?.colour ?? null };
}

export function cameraHref(name: string): string {
  return `/car/${encodeURIComponent(name)}/camera`;
}

export async function fetchCars(): Promise<CarListing[] | null> {
  try {
    const response = await fetch('/api/cars');
    return response.ok ? await response.json() as CarListing[] : null;
  } catch {
    return null; // offline (the cached shell): the path still names the car, if it does
  }
}
