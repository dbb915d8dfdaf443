/**
 * Each car's colour on every page (the map, the leaderboard, the lobby): a car named after a colour of
 * the palette gets that colour (a family names its cars "red" and "blue"); the others take the unused
 * ones in order, and past the palette, evenly spaced hues.
 */
const PALETTE: ReadonlyArray<readonly [string, string]> = [
  ['red', '#e53935'], ['blue', '#1e88e5'], ['green', '#43a047'], ['yellow', '#fdd835'],
  ['orange', '#fb8c00'], ['purple', '#8e24aa'], ['cyan', '#00acc1'], ['pink', '#ec407a'],
];

export function carColours(names: readonly string[]): Map<string, string> {
  const colours = new Map<string, string>();
  const free = new Map(PALETTE);
  for (const name of names) {
    const own = free.get(name.toLowerCase());
    if (own === undefined) continue;
    colours.set(name, own);
    free.delete(name.toLowerCase());
  }
  const rest = [...free.values()];
  let extra = 0;
  for (const name of names) {
    if (colours.has(name)) continue;
    colours.set(name, rest.shift() ?? hue((extra++ * 137.5) % 360));
  }
  return colours;
}

/** A saturated colour of this hue (degrees), as #rrggbb. */
function hue(h: number): string {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const v = 0.55 - 0.45 * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
