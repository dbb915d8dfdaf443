/** What `webracer` prints about its certificate: where it is, and the fingerprint to compare on a phone. */
import type { TlsInfo } from '../control/http/tls.js';

export function describeTls(tls: TlsInfo): string {
  const lines = tls.source === 'self-signed'
    ? [`TLS: self-signed certificate ${tls.certPath} (${tls.note})`,
      '  A browser warns once: check that it shows this SHA-256 fingerprint, then accept it (docs/video.md).']
    : [`TLS: certificate ${tls.certPath} (reloaded when the file changes)`];
  lines.push(`  SHA-256 fingerprint: ${tls.fingerprint}`);
  lines.push(`  Chromium, without the warning: --ignore-certificate-errors-spki-list=${tls.spkiHash}`);
  return lines.join('\n');
}
