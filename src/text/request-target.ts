// The request target (the path and query of the request line), read one way everywhere: a target that does not
// parse as this server's own path is malformed (400), never an exception in a listener. And the one way a target
// is written to a log: tokens taken out.

const base = 'http://request.invalid';

/**
 * The target as a URL on this server, or undefined when it is malformed: it does not parse (`//[`), or a URL parser
 * would read another host into it (`//evil.example/x`, `/\evil.example`), or it is not a path at all (`*`, a proxy's
 * absolute form: this server is no proxy).
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return undefined;
  }
  return url.origin === base ? url : undefined;
}

/** `text` (a URL, or a log line holding some) with the value of every `token=` parameter replaced (tokens are base64url: the value ends where no token character is). */
export function redactTokens(text: string): string {
  return text.replace(/([?&;]token=)[^&#\s'":;,<>]*/gi, '$1[redacted]');
}
