// The workshop files a slide's HTML loads or links to: what `labdeck build` copies beside its export and what
// `labdeck serve` serves from the workshop folder (nothing else there is served).
import { elementAt } from '../errors.ts';

export interface ReferenceOptions {
  /**
   * Also root paths (`/images/a.png`): a page served at `/` loads them from the workshop folder, but an export opened
   * from file:// would look at the root of the disk, so `build` leaves them out.
   */
  readonly rootPaths?: boolean;
}

/**
 * The URL paths (percent-encoded, from the page's folder) of the files a slide's HTML loads or links to through
 * relative URLs: src, href, CSS url().
 */
export function referencedPaths(html: string, options: ReferenceOptions = {}): string[] {
  const urls = [
    ...[...html.matchAll(/\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((match) => match[1] ?? elementAt(match, 2)),
    ...[...html.matchAll(/url\(\s*(?:&quot;|["'])?([^"')&]+)/gi)].map((match) => elementAt(match, 1)),
    ...replayEmbeds(html),
  ];
  return urls
    .map((url) => decodeCharacterReferences(url).trim())
    .filter((url) => url !== '' && !url.startsWith('#') && !url.startsWith('//') && !/^[a-z][a-z0-9+.-]*:/i.test(url))
    .filter((url) => options.rootPaths === true || !url.startsWith('/'))
    .map((url) => new URL(url, 'file:///').pathname);
}

/**
 * The recordings a slide embeds (`.replay[demo.cast]`, rendered `<span class="replay">demo.cast</span>`, or a block
 * `<div class="replay"><p>demo.cast</p></div>`): the path as written, which is what the page reads from the element.
 */
export function replayEmbedPaths(html: string): string[] {
  return replayEmbeds(html).map(decodeCharacterReferences);
}

/** The embeds' paths as the HTML writes them (character references not decoded yet). */
function replayEmbeds(html: string): string[] {
  const embeds = html.matchAll(/<(div|span) class="(?:[^"]*\s)?replay(?:\s[^"]*)?">\s*(?:<p>)?\s*([^<\s]+)\s*(?:<\/p>)?\s*<\/\1>/g);
  return [...embeds].map((match) => elementAt(match, 2));
}

/** The renderer writes `&` in an attribute as `&amp;` (or a numeric reference): the browser asks for the `&`. */
function decodeCharacterReferences(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi, (reference, hex?: string, decimal?: string, name?: string) => {
    if (name !== undefined) return named[name.toLowerCase()] ?? reference; // always named: the pattern matches only these
    const code = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : reference;
  });
}
