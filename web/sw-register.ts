// Registers the service worker (sw.ts, served as /sw.js) where the browser allows one: a secure context
// (http://localhost, 127.0.0.1, or https it trusts). Elsewhere (plain http on a LAN address) the page
// works as ever, only without the cached shell.

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // refused (an untrusted certificate, a private mode): the page itself is unaffected
    });
  });
}
