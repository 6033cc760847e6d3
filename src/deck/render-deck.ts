// Markdown in, slides out: split, model, render, steps. Reached through index.ts's loadRenderer(), so that what it
// imports (remark, micromark, parse5, highlight.js) loads only when a deck is rendered.
import { elementAt } from '../errors.ts';
import { decodeAsTextarea, parseSource } from './split.ts';
import { buildSlideshow } from './slideshow.ts';
import { rememberSlides, renderSlides } from './render.ts';
import { extractSteps } from './steps.ts';
import { locate, singleFileMap, type SourceMap } from './source-map.ts';
import { takeRememberedDeck, type DeckInput } from './remembered-deck.ts';
import { defaultDeckOptions, type Deck, type DeckOptions } from './deck-options.ts';

function modelOf({ markdown, options, map }: DeckInput) {
  const settings: DeckOptions = { ...defaultDeckOptions, ...options };
  const source = settings.decodeAsTextarea ? decodeAsTextarea(markdown) : markdown;
  const parsed = parseSource(source, (line) => locate(map, line));
  return { settings, parsed, model: buildSlideshow(parsed, settings) };
}

export function renderMarkdownDeck(markdown: string, options: Partial<DeckOptions> = {}, map: SourceMap = singleFileMap('<deck>')): Deck {
  const remembered = takeRememberedDeck();
  if (remembered) {
    const earlier = modelOf(remembered.input);
    rememberSlides(earlier.model, earlier.parsed.links, earlier.settings, remembered.deck.slides);
  }
  const { settings, parsed, model } = modelOf({ markdown, options, map });
  const rendered = renderSlides(model, parsed.links, settings);
  const slides = rendered.map((slide, i) => ({ ...slide, source: locate(map, elementAt(model, i).line) }));
  const steps = extractSteps(model, slides, settings.handsOnClasses);
  return { slides, steps, links: parsed.links };
}
