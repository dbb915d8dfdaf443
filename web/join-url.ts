// The address another device should open to join: the one this page came from, unless that is only
// reachable from this machine (localhost), in which case the server's LAN address (`GET /api/join`).
// The path is kept (a car's page, `/car/NAME`, joins that car). The token, when this tab holds one, goes
// in the fragment, which browsers never send to a server (web/auth.ts reads it and hides it again).

export interface PageLocation { protocol: string; hostname: string; host: string; pathname: string }

/** Only this machine can reach these names. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h);
}

export function joinUrl(page: PageLocation, lanUrls: readonly string[], token: string | null): { url: string; reachable: boolean } {
  const local = isLoopbackHost(page.hostname);
  const base = local && lanUrls.length > 0 ? lanUrls[0] : `${page.protocol}//${page.host}/`;
  const url = new URL(page.pathname, base);
  if (token) url.hash = new URLSearchParams({ token }).toString();
  return { url: url.toString(), reachable: !local || lanUrls.length > 0 };
}
