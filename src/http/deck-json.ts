// The one mapping from the deck engine's slides to the wire format: `labdeck slides --json`, `/deck.json` and the
// static export all go through here, so they never disagree.
import type { Deck } from '../deck/index.ts';
import type { RenderedSlide } from '../deck/types.ts';
import type { DeckJson, SlideJson } from '../protocol.ts';

export function toSlideJson(slide: RenderedSlide): SlideJson {
  return {
    index: slide.position,
    number: slide.number,
    name: slide.name ?? null,
    classes: slide.classes,
    notes: slide.notesHtml,
    html: slide.html,
    numberText: slide.numberText,
    continued: slide.continued,
    source: { file: slide.source.file, line: slide.source.line },
  };
}

export interface DeckJsonMeta {
  readonly version: number;
  readonly title: string;
  readonly ratio: string;
  readonly error: string | null;
}

export function toDeckJson(deck: Deck, meta: DeckJsonMeta): DeckJson {
  return { ...meta, slides: deck.slides.map(toSlideJson), steps: deck.steps };
}
