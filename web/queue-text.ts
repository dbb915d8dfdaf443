// Who drives next, in words for the status bar: this page's place in the line and who is ahead, by the
// names people set, or the server's default for them ("Driver 3"; "a guest" only from a server without
// names: a connection id means nothing to a person).

import type { QueueMessage } from './messages.js';

const GUEST = 'a guest';

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** "Ada, Bo and a guest" */
function listOf(names: Array<string | null>): string {
  const words = names.map((n) => n ?? GUEST);
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** "next in line", "3rd in line, after Ada and a guest"; '' when this page is not waiting. */
export function describeQueue(place: QueueMessage): string {
  if (place.position === null) return '';
  if (place.position === 1) return 'next in line';
  return `${ordinal(place.position)} in line, after ${listOf(place.ahead)}`;
}
