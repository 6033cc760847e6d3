// The deck engine's one entry point: a workshop's chapters assembled (manifest.ts, with the file reader given),
// markdown in, slides out; or the same deck read for what a person most likely got wrong (lint.ts). Code outside
// deck/ comes through here rather than reaching into the parser, the model or the renderer.
// Pure: no I/O here or below.
import { decodeAsTextarea, parseSource } from './split.ts';
import { buildSlideshow } from './slideshow.ts';
import { locate } from './source-map.ts';
import { lintDeck, type Diagnostic } from './lint.ts';
import type { AssembledSource, DeckManifest } from './manifest.ts';
import { defaultDeckOptions, type DeckOptions } from './deck-options.ts';
import { findDiagrams } from './diagrams.ts';
import type { SourceLocation } from '../errors.ts';

export {
  assembleDeckSource,
  chapterEntries,
  dirnameOf,
  resolvePath,
  UnusableFile,
  type AssembledSource,
  type AssemblyContext,
  type DeckFiles,
} from './manifest.ts';
export { formatDiagnostic, type Diagnostic } from './lint.ts';
export { emojiFamily, scopeDeckStyle, type FontVariant } from './deck-style.ts';

export { defaultDeckOptions, type Deck, type DeckOptions } from './deck-options.ts';

/**
 * The renderer: markdown → slides (split, model, render). Loaded when a deck must be rendered, not with the deck
 * engine: a deck read back from the render cache needs none of it, and its imports (remark, micromark, parse5,
 * highlight.js) are most of a start's time.
 */
export function loadRenderer(): Promise<typeof import('./render-deck.ts')> {
  return import('./render-deck.ts');
}

export { rememberRenderedDeck } from './remembered-deck.ts';
export { containsDiagram } from './diagrams.ts';

/** A mermaid diagram of a deck: its text as the page's mermaid reads it, and where that text starts. */
export interface LocatedDiagram {
  readonly location: SourceLocation;
  readonly text: string;
  /** Where a separator line ends the slide, and the diagram with it, before its `</pre>` (see DiagramSource). */
  readonly cut?: { readonly location: SourceLocation; readonly separator: string };
}

/** The deck's mermaid diagrams (for `labdeck lint`), read from the markdown as renderMarkdownDeck reads it. */
export function findDeckDiagrams(source: AssembledSource, options: Partial<DeckOptions> = {}): LocatedDiagram[] {
  const settings: DeckOptions = { ...defaultDeckOptions, ...options };
  const markdown = settings.decodeAsTextarea ? decodeAsTextarea(source.markdown) : source.markdown;
  return findDiagrams(markdown).map(({ line, text, cut }) => {
    const located = { location: locate(source.map, line), text };
    return cut ? { ...located, cut: { location: locate(source.map, cut.line), separator: cut.separator } } : located;
  });
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
