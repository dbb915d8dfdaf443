// Debian's Janus (`janus`, 1.1.x) on a free loopback port, with the smallest configuration that runs the
// VideoRoom over the HTTP API (the one docs/video.md gives): every other plugin, transport, logger and
// event handler is disabled, so it starts in a second. Its configuration and log live in a folder of its
// own in /tmp, named after `tag`. For the SFU tests and the bench (--sfu).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersHttp, freePort, whenReady } from './spawn-service.js';

const LIBS = '/usr/lib/x86_64-linux-gnu/janus';
const OTHER_PLUGINS = ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom', 'videocall', 'voicemail'];
const OTHER_TRANSPORTS = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'];

export interface Janus {
  /** Its HTTP API, as --sfu takes it after `janus:`. */
  url: string;
  dir: string;
  process: ChildProcess;
  /** Ends Janus (SIGKILL: as if it crashed) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill), resolving once it answers. */
  restart(): Promise<void>;
  /** Ends Janus and removes its folder. */
  stop(): Promise<void>;
}

/** Why Janus cannot run here (no `janus`), or null. */
export function janusMissing(): string | null {
  try {
    execFileSync('sh', ['-c', 'command -v janus'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'Janus is not installed (Debian package janus; .ci/run installs it)';
  }
}

/** The three files Janus needs for the VideoRoom over HTTP on 127.0.0.1:port (docs/video.md's minimal config). */
export function janusConfig(dir: string, port: number): Record<string, string> {
  const list = (names: string[]) => names.map((n) => `libjanus_${n}.so`).join(',');
  return {
    'janus.jcfg': `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIBS}/plugins"
  transports_folder = "${LIBS}/transports"
  events_folder = "${LIBS}/events"
  loggers_folder = "${LIBS}/loggers"
  debug_level = 4
}
nat: { ice_ignore_list = "vmnet" }
plugins: { disable = "${list(OTHER_PLUGINS)}" }
transports: { disable = "${list(OTHER_TRANSPORTS)}" }
loggers: { disable = "libjanus_jsonlog.so" }
events: { broadcast = false }
`,
    'janus.transport.http.jcfg': `general: { json = "compact" base_path = "/janus" http = true ip = "127.0.0.1" port = ${port} https = false }
admin: { admin_http = false admin_https = false }
`,
    'janus.plugin.videoroom.jcfg': 'general: { }\n',
  };
}

/** Starts Janus; resolves once its API answers (GET /janus/info). */
export async function startJanus(tag: string, waitMs: number): Promise<Janus> {
  const port = await freePort();
  const dir = mkdtempSync(`/tmp/webracer-${tag}-janus-`);
  for (const [name, text] of Object.entries(janusConfig(dir, port))) writeFileSync(join(dir, name), text);
  const url = `http://127.0.0.1:${port}/janus`;
  const janus: Janus = {
    url, dir, process: null as unknown as ChildProcess,
    kill: async () => {
      const child = janus.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    restart: async () => {
      janus.process = spawn('janus', ['-F', dir, '-C', join(dir, 'janus.jcfg'), '-o', '-N', '-L', join(dir, 'janus.log')], { stdio: 'ignore' });
      await whenReady(janus.process, `Janus at ${url}`, () => answersHttp(`${url}/info`), waitMs);
    },
    stop: async () => {
      await janus.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await janus.restart();
  } catch (err) {
    await janus.stop();
    throw err;
  }
  return janus;
}
