// A deck read from the render cache, handed to the renderer for its next render. Apart from the renderer, so that
// keeping it loads none of the renderer's code (a start from the cache may never render at all).
import type { SourceMap } from './source-map.ts';
import type { Deck, DeckOptions } from './deck-options.ts';

export interface DeckInput {
  readonly markdown: string;
  readonly options: Partial<DeckOptions>;
  readonly map: SourceMap;
}

let remembered: { readonly input: DeckInput; readonly deck: Deck } | undefined;

/**
 * Tells the renderer a deck rendered earlier from this input (the render cache on disk), so that the next
 * renderMarkdownDeck, after an edit, converts only the slides the edit changed, as if this deck had been rendered
 * here. Costs nothing now: the input is read again only when that next render comes (serve, after an edit).
 */
export function rememberRenderedDeck(markdown: string, options: Partial<DeckOptions>, map: SourceMap, deck: Deck): void {
  remembered = { input: { markdown, options, map }, deck };
}

/** The deck remembered, once: the renderer takes it at its next render. */
export function takeRememberedDeck(): { readonly input: DeckInput; readonly deck: Deck } | undefined {
  const taken = remembered;
  remembered = undefined;
  return taken;
}
