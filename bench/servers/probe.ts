/** Opens one WebSocket to a server with the `ws` client and reports what it negotiated. */
import { WebSocket } from 'ws';

export function negotiatedExtensions(url: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: true });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no handshake with ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      const extensions = ws.extensions;
      ws.close();
      resolve(extensions);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
