// A recording's lines as the page reads them (the format: docs/recording.md, src/recording/format.ts).
// The server checks files; the page only needs to survive one it did not check (a partial download).

import type { RecordingHeader, RecordingLine } from '../../src/recording/line-types.js';

/** A line as the server writes it; `Header` and `Line` are the server's own types (line-types.ts). */
export type Line = RecordingLine;
export type Header = RecordingHeader;
type Demand = Extract<RecordingLine, { kind: 'demand' }>['demand'];

/** The header and every line that parses; a line that does not (a cut-off download) ends the reading. */
export function parseLines(text: string): { header: Header | null; lines: Line[] } {
  const rows = text.split('\n');
  let header: Header | null = null;
  const lines: Line[] = [];
  for (const [i, row] of rows.entries()) {
    if (row === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      break;
    }
    if (typeof value !== 'object' || value === null) break;
    if (i === 0) header = value as Header;
    else if (typeof (value as Line).t === 'number') lines.push(value as Line);
  }
  return { header, lines };
}

/** What a demand asked for, in a few words. */
export function describeDemand(d: Demand): string {
  switch (d.kind) {
    case 'analog': return `stick x ${d.x.toFixed(2)} y ${d.y.toFixed(2)}`;
    case 'command': return `${d.name}${d.speed ? ` speed ${d.speed}` : ''}${d.durationMs ? ` for ${(d.durationMs / 1000).toFixed(1)} s` : ''}`;
    case 'raw': return `raw 0x${d.byte.toString(16).padStart(2, '0')}${d.durationMs ? ` for ${(d.durationMs / 1000).toFixed(1)} s` : ''}`;
  }
}
