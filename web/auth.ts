// The drive token (docs/protocol.md "Security"): when the server asks for one, a small form takes it.
// A link may carry it in the fragment (`#token=...`), which browsers never send to any server, so
// sharing "the page plus the token" does not leave the token in access logs. The token is kept for
// the tab's life only (sessionStorage) so a reconnect can present it again; one the server refused is
// dropped at once, so a stale link never re-sends it (each wrong token spends the address's budget,
// docs/protocol.md "Security", and would lock out everyone behind that address).

const KEY = 'webracer-token';

export interface Auth {
  /** After `welcome`: show the form or present a known token. */
  welcome(authRequired: boolean, authenticated: boolean): void;
  authenticated(ok: boolean): void;
  /** The server refused the token: forget it and ask again. */
  rejected(): void;
  /** The token this tab knows, if any (offered at the upgrade, see connection.ts). */
  known(): string | null;
}

export function createAuth(form: HTMLFormElement, send: (token: string) => boolean): Auth {
  const input = form.querySelector<HTMLInputElement>('input[type="password"]')!;
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(KEY, fromFragment);
    history.replaceState(null, '', location.pathname + location.search); // keep it off the screen
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    sessionStorage.setItem(KEY, token);
    send(token);
  });

  return {
    welcome(authRequired, authenticated) {
      form.hidden = !authRequired || authenticated;
      const known = sessionStorage.getItem(KEY);
      if (authRequired && !authenticated && known) send(known);
    },
    authenticated(ok) {
      if (ok) {
        form.hidden = true;
        input.value = '';
      }
    },
    known: () => sessionStorage.getItem(KEY),
    rejected() {
      sessionStorage.removeItem(KEY);
      input.value = '';
      form.hidden = false;
    },
  };
}
