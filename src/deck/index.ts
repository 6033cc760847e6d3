// The deck engine's one entry point: a workshop's chapters assembled (manifest.ts, with the file reader given),
// markdown in, slides out; or the same deck read for what a person most likely got wrong (lint.ts). Code outside
// deck/ comes through here rather than reaching into the parser, the model or the renderer.
// Pure: no I/O here or below.
import { elementAt } from '../errors.ts';
import { decodeAsTextarea, parseSource } from './split.ts';
import { buildSlideshow } from './slideshow.ts';
import { rememberSlides, renderSlides } from './render.ts';
import { extractSteps, type Step } from './steps.ts';
import { locate, singleFileMap, type SourceMap } from './source-map.ts';
import { lintDeck, type Diagnostic } from './lint.ts';
import type { AssembledSource, DeckManifest } from './manifest.ts';
import type { LinkTable, RenderedSlide, RenderOptions, SlideshowOptions } from './types.ts';
import { defaultHandsOnClasses } from '../protocol.ts';

export { assembleDeckSource, chapterEntries, dirnameOf, resolvePath, UnusableFile, type AssembledSource, type DeckFiles } from './manifest.ts';
export { formatDiagnostic, type Diagnostic } from './lint.ts';

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

interface DeckInput {
  readonly markdown: string;
  readonly options: Partial<DeckOptions>;
  readonly map: SourceMap;
}

function modelOf({ markdown, options, map }: DeckInput) {
  const settings: DeckOptions = { ...defaultDeckOptions, ...options };
  const source = settings.decodeAsTextarea ? decodeAsTextarea(markdown) : markdown;
  const parsed = parseSource(source, (line) => locate(map, line));
  return { settings, parsed, model: buildSlideshow(parsed, settings) };
}

/** A deck read from the render cache, which the renderer learns at the next render (see rememberRenderedDeck). */
let remembered: { readonly input: DeckInput; readonly deck: Deck } | undefined;

/**
 * Tells the renderer a deck rendered earlier from this input (the render cache on disk), so that the next
 * renderMarkdownDeck, after an edit, converts only the slides the edit changed, as if this deck had been rendered
 * here. Costs nothing now: the input is read again only when that next render comes (serve, after an edit).
 */
export function rememberRenderedDeck(markdown: string, options: Partial<DeckOptions>, map: SourceMap, deck: Deck): void {
  remembered = { input: { markdown, options, map }, deck };
}

export function renderMarkdownDeck(markdown: string, options: Partial<DeckOptions> = {}, map: SourceMap = singleFileMap('<deck>')): Deck {
  if (remembered) {
    const { input, deck } = remembered;
    remembered = undefined;
    const earlier = modelOf(input);
    rememberSlides(earlier.model, earlier.parsed.links, earlier.settings, deck.slides);
  }
  const { settings, parsed, model } = modelOf({ markdown, options, map });
  const rendered = renderSlides(model, parsed.links, settings);
  const slides = rendered.map((slide, i) => ({ ...slide, source: locate(map, elementAt(model, i).line) }));
  const steps = extractSteps(model, slides, settings.handsOnClasses);
  return { slides, steps, links: parsed.links };
}

export interface DeckLintInput {
  /** The manifest the deck was assembled from: all of its chapter files are checked. */
  readonly manifest: DeckManifest;
  readonly files: { exists(path: string): boolean };
}

/** Every diagnostic of an assembled deck, read as renderMarkdownDeck reads it with the same options. */
export function lintAssembledDeck(source: AssembledSource, input: DeckLintInput, options: Partial<DeckOptions> = {}): Diagnostic[] {
  const settings: DeckOptions = { ...defaultDeckOptions, ...options };
  const markdown = settings.decodeAsTextarea ? decodeAsTextarea(source.markdown) : source.markdown;
  const parsed = parseSource(markdown, (line) => locate(source.map, line));
  const model = buildSlideshow(parsed, settings);
  return lintDeck({
    markdown,
    map: source.map,
    model,
    handsOnClasses: settings.handsOnClasses,
    manifest: input.manifest,
    files: input.files,
    assemblyWarnings: source.warnings,
  });
}
