// Reads a QR code the CLI printed back into its text, the way a phone would: the half-block characters
// to modules, the modules to pixels, the pixels through jsQR (a decoder that knows nothing of ours).
import jsQRModule from 'jsqr';
import { HALF_BLOCKS } from '../../src/cli/qr.js';

const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof import('jsqr').default;

/** The text of the QR code in `printed` (its lines only; colour codes allowed), or null if none decodes. */
export function decodePrintedQr(printed: string): string | null {
  const dark: boolean[][] = [];
  for (const line of printed.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.length > 0)) {
    const chars = [...line];
    dark.push(chars.map((c) => c !== HALF_BLOCKS.both && c !== HALF_BLOCKS.top));
    dark.push(chars.map((c) => c !== HALF_BLOCKS.both && c !== HALF_BLOCKS.bottom));
  }
  const scale = 4;
  const margin = 8 * scale; // white paper around the screen
  const modules = Math.max(...dark.map((row) => row.length));
  const width = modules * scale + 2 * margin;
  const height = dark.length * scale + 2 * margin;
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < dark.length * scale; y++) {
    for (let x = 0; x < modules * scale; x++) {
      if (!dark[Math.floor(y / scale)][Math.floor(x / scale)]) continue;
      const at = ((y + margin) * width + x + margin) * 4;
      pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
    }
  }
  return jsQR(pixels, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}
