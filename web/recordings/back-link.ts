// Where "Back" on /recordings goes: the car page the person came from, else the start page, and the
// link says which. The car comes from `?car=NAME`, which the car page's link adds (the referrer cannot
// say: every page is served with Referrer-Policy: no-referrer). Without it, `/`: the lobby when the
// server has several cars, the car's page when it has one.

import { carHref } from '../race-text.js';

/** Points `link` at the car the person came from, or at the start page, saying which. */
export async function aimBackLink(link: HTMLAnchorElement): Promise<void> {
  const car = new URLSearchParams(location.search).get('car');
  if (car) {
    link.href = carHref(car);
    link.textContent = `Back to ${car}`;
    return;
  }
  link.href = '/';
  link.textContent = 'Back to the lobby';
  try {
    const cars = (await (await fetch('/api/cars', { cache: 'no-store' })).json()) as Array<{ name: string }>;
    if (cars.length === 1) link.textContent = `Back to ${cars[0].name}`; // `/` is its page
  } catch {
    // the lobby it says: `/` is still where to go
  }
}
