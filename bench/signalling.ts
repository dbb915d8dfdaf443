/**
 * What a real browser's video negotiation sends through the server: one camera page and four driving
 * pages in Debian's Chromium (a fake camera, test/web/video-harness.ts), against the real server on the
 * simulated car, counting every `signal` each side sends, per negotiation (an offer, its answer, and the
 * candidates of both). The figures the signalling budget (src/control/video/signal-budget.ts) is set from.
 *
 *   node --import tsx bench/signalling.ts          # a LAN: no ICE server, host candidates only
 *   node --import tsx bench/signalling.ts --turn   # through coturn on 127.0.0.1 (STUN, TURN/UDP, TURN/TCP)
 *
 * `--turn` needs coturn's `turnserver` (Debian's package coturn); it is started on a free loopback
 * port with time-limited credentials (--turn-secret) and stopped at the end. Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import type { CarEvent } from '../src/control/car/car-events.js';
import type { IceServer, SignalMessage } from '../src/control/protocol/messages.js';
import { ensureBuilt, startServer, WAIT_MS } from '../test/web/harness.js';
import { allocations, startCoturn } from '../test/support/coturn.js';
import { launchVideoBrowser, openCamera } from '../test/web/video-harness.js';

const VIEWERS = 4;
/** Late candidates (TURN's relayed ones) may come after the picture: wait this long more. */
const SETTLE_MS = 3_000;

interface Side {
  descriptions: number;
  /** Trickled on their own (after the description: late ones, and null for the end). */
  candidates: number;
  /** Inside the description, by type (host, srflx, relay), and each one's wire size were it trickled. */
  inDescription: Record<string, number>;
  bytes: number;
  largest: number;
}
interface Negotiation { viewer: string; camera: Side; viewerSide: Side }

function emptySide(): Side {
  return { descriptions: 0, candidates: 0, inDescription: {}, bytes: 0, largest: 0 };
}

/** Splits the signals into negotiations: each offer from the camera to a viewer opens a new one. */
function tally(signals: Array<{ from: string; message: SignalMessage; bytes: number }>, camera: string): Negotiation[] {
  const open = new Map<string, Negotiation>();
  const all: Negotiation[] = [];
  for (const { from, message, bytes } of signals) {
    const viewer = from === camera ? message.to : from;
    if (from === camera && message.description?.type === 'offer') {
      const fresh = { viewer, camera: emptySide(), viewerSide: emptySide() };
      open.set(viewer, fresh);
      all.push(fresh);
    }
    const negotiation = open.get(viewer);
    if (!negotiation) continue;
    const side = from === camera ? negotiation.camera : negotiation.viewerSide;
    if (message.description !== undefined) {
      side.descriptions += 1;
      for (const [, type] of message.description.sdp.matchAll(/a=candidate:[^\r\n]* typ (\w+)/g)) {
        side.inDescription[type] = (side.inDescription[type] ?? 0) + 1;
      }
    } else {
      side.candidates += 1;
    }
    side.bytes += bytes;
    side.largest = Math.max(side.largest, bytes);
  }
  return all;
}

/** The most any one side of any negotiation sent: messages, candidates (inside its description or not), bytes. */
function mostPerSide(negotiations: Negotiation[]): { signals: number; candidates: number; bytes: number } {
  const sides = negotiations.flatMap((n) => [n.camera, n.viewerSide]);
  const inside = (side: Side) => Object.values(side.inDescription).reduce((a, b) => a + b, 0);
  return {
    signals: Math.max(...sides.map((side) => side.descriptions + side.candidates)),
    candidates: Math.max(...sides.map((side) => side.candidates + inside(side))),
    bytes: Math.max(...sides.map((side) => side.bytes)),
  };
}

async function main(): Promise<void> {
  const turn = process.argv.includes('--turn');
  await ensureBuilt();
  const secret = randomBytes(16).toString('hex');
  const coturn = turn ? await startCoturn(secret, 'signalling-budget', WAIT_MS) : null;
  const iceServers: IceServer[] = coturn === null ? [] : [
    { urls: `stun:127.0.0.1:${coturn.port}` },
    { urls: `turn:127.0.0.1:${coturn.port}?transport=udp` },
    { urls: `turn:127.0.0.1:${coturn.port}?transport=tcp` },
  ];
  const server = await startServer('sim', coturn === null ? {} : { iceServers, turnSecret: secret });
  const signals: Array<{ from: string; message: SignalMessage; bytes: number }> = [];
  server.fleet.first.events.listen((event: CarEvent) => {
    if (event.kind === 'message' && 'type' in event.message && event.message.type === 'signal') {
      signals.push({ from: event.client, message: event.message, bytes: Buffer.byteLength(JSON.stringify(event.message)) });
    }
  });
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  try {
    browser = await launchVideoBrowser();
    const camera = await openCamera(browser, `${server.url}camera`);
    contexts.push(camera.context);
    const startedAt = Date.now();
    for (let i = 0; i < VIEWERS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(server.url);
      await page.locator('#st-video[data-state="live"]').waitFor({ timeout: WAIT_MS * 2 });
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const negotiations = tally(signals, server.fleet.first.summary().video.camera!);
    process.stdout.write(`${JSON.stringify({
      setup: turn ? 'turn (coturn on loopback: stun, turn udp, turn tcp)' : 'lan (no ICE server)',
      chromium: browser.version(), seconds: Math.round((Date.now() - startedAt) / 1000), signals: signals.length,
      mostPerSide: mostPerSide(negotiations),
      turnAllocations: coturn === null ? undefined : allocations(coturn.logFile),
      negotiations,
    })}\n`);
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server.close();
    coturn?.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`signalling: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
