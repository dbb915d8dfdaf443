/**
 * A QR code for a terminal, two modules per character with the Unicode half blocks, so a phone can scan
 * the LAN URL off the screen. The encoding is uqr's (a small, dependency-free encoder); the drawing is
 * ours, because polarity matters: a scanner wants dark modules on a light ground. On a colour terminal
 * the code is drawn white on black explicitly; without colour (a pipe, the journal) the blocks are the
 * light modules, right on the usual dark terminal background.
 */
import { encode } from 'uqr';

/** Light modules around the code: the standard asks for 4; 2 scans well off a screen and saves space. */
const QUIET_ZONE = 2;

/** Characters by which of the two modules are light (tests read the code back with the same table). */
export const HALF_BLOCKS = { both: '█', top: '▀', bottom: '▄', none: ' ' } as const;

export function terminalQr(text: string, colour: boolean): string {
  const { data } = encode(text, { ecc: 'L', border: QUIET_ZONE });
  // uqr's modules are true for dark; past the last row is quiet zone.
  const light = (row: number, col: number): boolean => row >= data.length || !data[row][col];
  const lines: string[] = [];
  for (let row = 0; row < data.length; row += 2) {
    let line = '';
    for (let col = 0; col < data[row].length; col++) {
      const top = light(row, col);
      const bottom = light(row + 1, col);
      line += top && bottom ? HALF_BLOCKS.both : top ? HALF_BLOCKS.top : bottom ? HALF_BLOCKS.bottom : HALF_BLOCKS.none;
    }
    lines.push(colour ? `\x1b[97;40m${line}\x1b[0m` : line);
  }
  return lines.join('\n');
}

