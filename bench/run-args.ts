/** Command-line arguments of `npm run bench`. */
import { SERVERS, type ServerName } from './servers/catalog.js';

export interface RunArgs {
  quick: boolean;
  repeats: number;
  servers: ServerName[] | null;
  workloads: number[] | null;
  commandPath: boolean;
  /** The safety section: fault to stop byte per hazard (bench/safety.ts). */
  safety: boolean;
  /** The video sections: opening the driving page to its first video frame (bench/video.ts), and through the SFU (bench/video-sfu.ts, not with --quick). */
  video: boolean;
  /** Drive input through a lossy path, WebSocket and drive channel (bench/drive-paths-lossy.ts). */
  drivePaths: boolean;
  /** Another copy of our echo server to measure instead of src/websocket/echo-server.ts. */
  ours: string | null;
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = { quick: false, repeats: 0, servers: null, workloads: null, commandPath: true, safety: true, video: true, drivePaths: true, ours: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') out.quick = true;
    else if (a === '--skip-command-path') out.commandPath = false;
    else if (a === '--skip-safety') out.safety = false;
    else if (a === '--skip-video') out.video = false;
    else if (a === '--skip-drive-paths') out.drivePaths = false;
    else if (a === '--repeats' && /^[1-9]\d*$/.test(argv[i + 1] ?? '')) out.repeats = Number(argv[++i]);
    else if (a === '--servers' && argv[i + 1]) {
      const names = argv[++i].split(',').map((s) => s.trim());
      for (const n of names) {
        if (!SERVERS.some((s) => s.name === n)) throw new Error(`unknown server "${n}" (have: ${SERVERS.map((s) => s.name).join(', ')})`);
      }
      out.servers = names as ServerName[];
    } else if (a === '--ours' && argv[i + 1]) {
      out.ours = argv[++i];
    } else if (a === '--workloads' && /^[1-6](,[1-6])*$/.test(argv[i + 1] ?? '')) {
      out.workloads = argv[++i].split(',').map(Number);
    } else throw new Error(`unknown argument "${a}"; usage: npm run bench -- [--quick] [--repeats N] [--servers a,b] [--workloads 1,5] [--ours PATH] [--skip-command-path] [--skip-safety] [--skip-video] [--skip-drive-paths]`);
  }
  if (out.repeats === 0) out.repeats = out.quick ? 1 : 3;
  return out;
}
