// The workshop folder as the deck page sees it: only the files the current deck references (its slides' and
// presenter notes' images, linked handouts, the pictures its stylesheet names). Everything else there is a 404: workshop.yml, the chapters, the check
// specs (exercises/*.yml), an attendees.yml and its TLS keys, and the class's data folder, never served even when a
// slide links to it. labdeck's own files (interstitial picture, client) come from /_labdeck/, not from here.
import { referencedPaths } from '../deck/references.ts';
import type { DeckJson } from '../protocol.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import { decodeSegments } from './safe-path.ts';
import { staticFolder, type ServedFiles } from './static-folder.ts';

export interface WorkshopFilesOptions {
  /** The manifest's folder: slides reference their images relative to it. */
  readonly root: string;
  readonly deck: DeckSource;
  /** Never served, whatever the deck references (the class's data folder). */
  readonly privateFolders?: readonly string[];
}

export function workshopFiles(options: WorkshopFilesOptions): ServedFiles {
  const files = staticFolder({ root: options.root, privateFolders: options.privateFolders ?? [] });
  // Recomputed when the source holds a new deck (a live edit), once, not per request.
  let known: { readonly deck: DeckJson; readonly paths: ReadonlySet<string> } | undefined;
  const referenced = (): ReadonlySet<string> => {
    const deck = options.deck.current();
    if (known?.deck !== deck) known = { deck, paths: referencedFiles(deck) };
    return known.paths;
  };
  const isReferenced = (urlPath: string): boolean => {
    const key = fileKey(urlPath);
    return key !== undefined && referenced().has(key);
  };
  return {
    handler: (request, response, next) => (isReferenced(request.path) ? files.handler(request, response, next) : next()),
    serves: async (urlPath) => isReferenced(urlPath) && (await files.serves(urlPath)),
  };
}

/** The deck's references from the page at `/`, as decoded paths: `%20` and a space, `%61` and `a` are one file. */
function referencedFiles(deck: DeckJson): Set<string> {
  const paths = deck.slides.flatMap((slide) => [slide.html, slide.notes]).flatMap((html) => referencedPaths(html, { rootPaths: true }));
  return new Set([...paths, ...(deck.look?.files ?? [])].map(fileKey).filter((key) => key !== undefined));
}

/** Undefined for what could never be a served file (hidden or malformed segments: safe-path.ts). */
function fileKey(urlPath: string): string | undefined {
  const segments = decodeSegments(urlPath);
  return segments && segments.length > 0 ? segments.join('/') : undefined;
}
