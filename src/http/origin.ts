// The one Origin check of every WebSocket channel (live reload, terminals, follow-me): only pages served by this
// server (or explicitly listed origins) may open sockets, so a page from another site cannot drive a local labdeck.

/**
 * Whether a WebSocket's Origin header names the page's own server (`host` = the request's Host header), or one
 * of `extraOrigins` (e.g. `https://class.example.org`). A missing Origin is refused: browsers always send one.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, extraOrigins: readonly string[] = []): boolean {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (extraOrigins.some((allowed) => allowed.replace(/\/$/, '').toLowerCase() === url.origin.toLowerCase())) return true;
  if (!host) return false;
  try {
    // Parsed with the origin's scheme so default ports compare equal (`example.org:443` = `https://example.org`).
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}
