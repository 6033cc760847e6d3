// The token a link brought (`?token=`): read once as the page starts, then taken out of the address bar, where a
// page projected to the room (the instructor's deck, the dashboard) would show it to everyone. The server has kept
// it as an HttpOnly cookie by then (a reload is still the same person); the page uses what it read.

/** `?token=`'s value, removed from the address bar (every other part of the URL stays as it was, hash included). */
export function takeLinkToken(): string | undefined {
  const token = new URLSearchParams(location.search).get('token');
  if (token === null) return undefined;
  const kept = location.search.slice(1).split('&').filter((part) => part !== '' && !new URLSearchParams(part).has('token'));
  history.replaceState(history.state, '', `${location.pathname}${kept.length > 0 ? `?${kept.join('&')}` : ''}${location.hash}`);
  return token === '' ? undefined : token;
}

/** `search` (e.g. `?notes`) with `token` put back: for a window the page opens on itself, which takes it out again. */
export function withLinkToken(search: string, token: string | undefined): string {
  if (token === undefined) return search;
  return `${search === '' ? '?' : `${search}&`}token=${encodeURIComponent(token)}`;
}
