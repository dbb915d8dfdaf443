/**
 * Runs one case against a target: opens its clients in their roles, sends every frame (a client that
 * does not read stops reading first), sends the HTTP requests meanwhile, then the driver stops and
 * releases, every client proves it is still answered (a ping) and closes. Violations go to `report`.
 */
import { readdirSync } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Frame } from './client-frames.js';
import { FuzzClient } from './fuzz-client.js';
import { checkHttp } from './http-checks.js';
import { sendRequest } from './http-requests.js';
import { fillFrame, fillHttp, markerOf } from './placeholders.js';
import type { Scenario } from './scenario.js';
import type { FuzzTarget } from './target.js';
import { violation, type Violation } from './violations.js';

// Generous: on a shared machine the server may wait seconds for a core; only a broken case waits this long.
const SETTLE_MS = 15_000;
const CLOSE_MS = 10_000;
const HTTP_MS = 15_000;
/** Frames get markers numbered from here for each HTTP request, so the two never share one. */
const HTTP_MARKERS = 1_000;

export interface CaseContext {
  target: FuzzTarget;
  caseNo: number;
  report: (v: Violation) => void;
  /** Counts what was sent, for the coverage report. */
  sent: (client: FuzzClient, frame: Frame, text: string) => void;
  requested: (method: string, target: string) => void;
  /** A client of this case was welcomed with this id (a recording's line names it). */
  welcomed: (clientId: string) => void;
}

export async function runCase(s: Scenario, ctx: CaseContext): Promise<void> {
  const clients = await openClients(s, ctx);
  const http = sendAll(s, ctx);
  await sendSteps(s, clients, ctx);
  await Promise.all([settle(clients, ctx), http]);
  await closeAll(clients, ctx);
}

async function openClients(s: Scenario, ctx: CaseContext): Promise<Array<FuzzClient | null>> {
  const { target, caseNo, report } = ctx;
  const secrets = [target.secrets.token ?? '', target.secrets.turnSecret, target.secrets.canary];
  const clients: Array<FuzzClient | null> = [];
  for (const [index, plan] of s.clients.entries()) {
    const client = await FuzzClient.open(plan, { port: target.port, token: target.secrets.token, caseNo, index, secrets, report, address: addressOf(plan.role, caseNo, index) });
    if (client) {
      ctx.welcomed(client.clientId);
      await setUp(client);
    }
    clients.push(client);
  }
  const live = clients.filter((c): c is FuzzClient => c !== null);
  for (const c of live) c.othersTokens = [target.keeper?.resumeToken ?? '', ...live.filter((o) => o !== c).flatMap((o) => [o.resumeToken, o.nameKey])];
  return clients;
}

/** What each role does once welcomed (scenario.ts ROLES): a driver not seated yet claims. */
async function setUp(client: FuzzClient): Promise<void> {
  const { role } = client.plan;
  const text = role === 'camera' ? '{"type":"camera-on"}' : role === 'watcher' ? '{"type":"watch"}'
    : role === 'driver' && client.role !== 'driver' ? '{"type":"claim"}' : null;
  if (text === null) return;
  client.send(text);
  await client.waitFor((m) => ['role', 'error', 'video', 'viewing'].includes(String(m.type)), 2_000);
}

async function sendSteps(s: Scenario, clients: Array<FuzzClient | null>, ctx: CaseContext): Promise<void> {
  const peers = clients.map((c) => c?.clientId ?? '');
  for (const c of clients) if (c?.plan.slow) c.ws.pause();
  for (const [n, { client: i, frame }] of s.steps.entries()) {
    if (frame.kind === 'pause') {
      await sleep(frame.ms);
      continue;
    }
    const client = clients[i];
    if (!client?.open) continue;
    send(client, frame, fillFrame(frameText(frame), markerOf(ctx.caseNo, n), peers), ctx);
    await nextTurn();
  }
  for (const c of clients) {
    if (c?.plan.role === 'driver' && c.open) send(c, { kind: 'text', text: '{"type":"stop"}' }, '{"type":"stop"}', ctx); // each case ends stopped
  }
  for (const c of clients) if (c?.plan.slow) c.ws.resume();
}

function frameText(frame: Exclude<Frame, { kind: 'pause' }>): string {
  return frame.kind === 'text' || frame.kind === 'burst' ? frame.text : frame.hex;
}

function send(client: FuzzClient, frame: Exclude<Frame, { kind: 'pause' }>, text: string, ctx: CaseContext): void {
  ctx.sent(client, frame, text);
  switch (frame.kind) {
    case 'text': return client.send(text);
    case 'burst': for (let i = 0; i < frame.count; i++) client.send(text); return;
    case 'binary': return client.send(Buffer.from(text, 'hex'), true);
    case 'bad-utf8':
      client.sent.badUtf8 = true;
      return client.send(Buffer.from(text, 'hex'));
  }
}

/** Every open client gets a pong (the server answered everything before it); the driver's car is stopped. */
async function settle(clients: Array<FuzzClient | null>, ctx: CaseContext): Promise<void> {
  await Promise.all(clients.map(async (c, i) => {
    if (!c?.open) return;
    const answered = await ping(c, `settle-${ctx.caseNo}-${i}`);
    if (!answered && c.open) {
      ctx.report(violation('replies', `client ${i} (${c.plan.role} on ${c.plan.car}) got no pong within ${SETTLE_MS} ms`, ctx.caseNo));
    }
    if (answered && c.plan.role === 'driver' && c.driver === c.clientId && c.direction !== 'stop') {
      const limited = c.rateLimited ? ' (it had been told rate_limited)' : '';
      ctx.report(violation('stop', `client ${i} (the driver of ${c.plan.car}) sent a stop last, and the car still went ${c.direction}${limited}`, ctx.caseNo));
    }
  }));
}

/** Pings until the pong comes (a rate-limited ping is dropped: try again); false if none within SETTLE_MS. */
async function ping(c: FuzzClient, id: string): Promise<boolean> {
  const deadline = Date.now() + SETTLE_MS;
  while (c.open && Date.now() < deadline) {
    const pong = c.waitFor((m) => m.type === 'pong' && m.id === id, 300);
    c.send(JSON.stringify({ type: 'ping', id }));
    if (await pong) return true;
  }
  return false;
}

async function closeAll(clients: Array<FuzzClient | null>, ctx: CaseContext): Promise<void> {
  await Promise.all(clients.map(async (c, i) => {
    if (!c) return;
    if (c.open && c.role === 'driver') c.send('{"type":"release"}');
    if (c.open) c.ws.close(1000);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_MS)));
    const outcome = await Promise.race([c.closed, late]);
    clearTimeout(timer);
    if (outcome !== 'late') return;
    ctx.report(violation('closes', `client ${i} (${c.plan.role} on ${c.plan.car}): the server did not answer its close within ${CLOSE_MS} ms`, ctx.caseNo));
    c.ws.terminate();
  }));
}

/**
 * Where a client connects from. Wrong tokens lock out their address (twenty in ten minutes), and a token
 * holder sends wrong ones too: so each case's token holders come from addresses of their own, and never
 * from 127.0.0.1, the keeper's. Attackers share four, which do get locked out (a path worth fuzzing too).
 */
function addressOf(role: string, caseNo: number, index: number): string {
  if (role === 'driver' || role === 'marshal' || role === 'camera') return `127.1.${(caseNo >> 8) & 255}.${1 + (caseNo % 250)}`;
  return `127.0.0.${2 + (index % 4)}`;
}

async function sendAll(s: Scenario, ctx: CaseContext): Promise<void> {
  const { target } = ctx;
  await Promise.all(s.http.map(async (plan, n) => {
    const recording = pickRecording(target.recDir, ctx.caseNo + n);
    const fill = (text: string): string => fillHttp(text, {
      port: target.port, marker: markerOf(ctx.caseNo, HTTP_MARKERS + n), recording, token: plan.from === 'holder' ? target.secrets.token : null,
    });
    ctx.requested(plan.method, plan.target);
    const localAddress = addressOf(plan.from === 'holder' ? 'marshal' : 'unauth', ctx.caseNo, n);
    const answer = await sendRequest(plan, { port: target.port, localAddress, fill, timeoutMs: HTTP_MS });
    for (const v of checkHttp(plan, answer, fill, target, ctx.caseNo)) ctx.report(v);
  }));
}

/** A recording's name: the newest (a session's file is empty for its first moments), the one before, or the
 *  oldest (the link planted beside them: target.ts). */
function pickRecording(dir: string, n: number): string {
  const names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (names.length === 0) return 'none.jsonl';
  return [names.at(-1)!, names.at(-2) ?? names[0], names[0]][n % 3];
}
