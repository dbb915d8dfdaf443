// The raw byte field's reading and the status bar's writing of a byte.

/** "0x16", "0X6b" or "22" -> the byte; anything else -> a sentence saying what is wanted. */
export function parseByte(text: string): number | string {
  const t = text.trim();
  let value: number;
  if (/^0x[0-9a-f]{1,2}$/i.test(t)) value = Number.parseInt(t.slice(2), 16);
  else if (/^\d{1,3}$/.test(t)) value = Number.parseInt(t, 10);
  else return 'Enter a byte as hex (0x16) or decimal (22).';
  return value <= 255 ? value : 'A byte is at most 255 (0xFF).';
}

export function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
