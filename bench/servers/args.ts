/** Command-line arguments shared by the benchmark's own echo servers. */
export interface ServerArgs {
  port: number;
  host: string;
  mode: string;
  deflate: boolean;
}

/** Parses `--port P --host H [--mode M] [--deflate]`; throws with a clear message on anything else. */
export function parseServerArgs(argv: readonly string[], modes: readonly string[] = []): ServerArgs {
  const out: ServerArgs = { port: 0, host: '127.0.0.1', mode: modes[0] ?? '', deflate: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--deflate') {
      out.deflate = true;
    } else if (flag === '--port' && value !== undefined) {
      out.port = Number(value);
      if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`bad --port ${value}`);
      i++;
    } else if (flag === '--host' && value !== undefined) {
      out.host = value;
      i++;
    } else if (flag === '--mode' && value !== undefined && modes.includes(value)) {
      out.mode = value;
      i++;
    } else {
      throw new Error(`unexpected argument ${flag}${modes.length ? ` (modes: ${modes.join(', ')})` : ''}`);
    }
  }
  return out;
}
