// The token a link brought (`?token=`): read once as the page starts, then taken out of the address bar, where a
// page projected to the room would show it to everyone. The tab keeps it (sessionStorage) so that a reload is still
// the same person: a cookie could not do that alone, since one browser often holds two links of one server (the
// instructor's window and the projector's), and the last one opened would set the cookie for both.

const storageKey = 'labdeck-link-token';

/**
 * `?token=`'s value, removed from the address bar (every other part of the URL stays as it was, hash included);
 * without one, the token this tab's link brought before the reload.
 */
export function takeLinkToken(): string | undefined {
  const token = new URLSearchParams(location.search).get('token');
  if (token === null) return stored();
  const kept = location.search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && !new URLSearchParams(part).has('token'));
  history.replaceState(history.state, '', `${location.pathname}${kept.length > 0 ? `?${kept.join('&')}` : ''}${location.hash}`);
  if (token === '') return undefined;
  try {
    sessionStorage.setItem(storageKey, token);
  } catch {
    // Storage refused (private mode, a sandbox): the page still has its token until it is reloaded.
  }
  return token;
}

/** `search` (e.g. `?notes`) with `token` put back: for a window the page opens on itself, which takes it out again. */
export function withLinkToken(search: string, token: string | undefined): string {
  if (token === undefined) return search;
  return `${search === '' ? '?' : `${search}&`}token=${encodeURIComponent(token)}`;
}

function stored(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}
