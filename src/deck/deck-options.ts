// What a deck is rendered with, and what it renders to: shared by the engine's entry (index.ts) and the renderer
// (render-deck.ts), which index.ts loads only when a deck must be rendered.
import type { Step } from './steps.ts';
import type { LinkTable, RenderedSlide, RenderOptions, SlideshowOptions } from './types.ts';
import { defaultHandsOnClasses } from '../protocol.ts';

export interface DeckOptions extends SlideshowOptions, RenderOptions {
  /**
   * container.training pastes markdown raw into a <textarea>, so the browser decodes HTML character references once
   * before remark.js sees the text. True reproduces that (the default for decks written for remark.js).
   */
  readonly decodeAsTextarea: boolean;
  /** Content classes that mark hands-on blocks (default: exercise, lab). */
  readonly handsOnClasses: readonly string[];
}

export const defaultDeckOptions: DeckOptions = Object.freeze({
  excludedClasses: [],
  countIncrementalSlides: true,
  highlightSpans: true,
  highlightLanguage: '',
  slideNumberFormat: '%current%/%total%',
  decodeAsTextarea: true,
  handsOnClasses: defaultHandsOnClasses,
});

export interface Deck {
  readonly slides: RenderedSlide[];
  readonly steps: Step[];
  readonly links: LinkTable;
}
