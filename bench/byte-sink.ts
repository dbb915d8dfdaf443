// What the command-path measurements share: the car's end of a `tcp:` link (a listener that counts the
// bytes it is sent, like an ESP32 serial bridge would pass them on), and the percentile of sorted samples.
import { createServer, type Server } from 'node:net';

export function listenSink(): Promise<{ sink: Server; port: number; bytes: () => number }> {
  let received = 0;
  const sink = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    // A link that closes without confirmation resets the connection on purpose (a stale drive byte must not
    // be retransmitted to the car, src/vehicle/links/tcp.ts): the sink then reads ECONNRESET. Not a failure.
    socket.on('error', () => {});
  });
  return new Promise((resolve) =>
    sink.listen(0, '127.0.0.1', () => {
      const address = sink.address();
      resolve({ sink, port: typeof address === 'object' && address ? address.port : 0, bytes: () => received });
    }),
  );
}

/** The p-th percentile of samples already sorted ascending (nearest rank). */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
