// The data shapes of the deck engine. Pure data: no module in deck/ does I/O.
//
// Pipeline:  source text ──split.ts──► ParsedSlide[] ──slideshow.ts──► ModelSlide[] ──render.ts──► RenderedSlide[]
// (manifest.ts assembles the source text of a whole workshop from its chapters, with a SourceMap.)
import type { SourceLocation } from '../errors.ts';

/** A piece of slide content: markdown text, or a content class `.a.b[ ... ]` (remark.js semantics). */
export type ContentNode = string | ContentClass;

export interface ContentClass {
  /** `.a.b-c[` → ['a', 'b-c'] */
  readonly classes: readonly string[];
  /** remark.js decides block (`<div>`) vs inline (`<span>`) only by whether the bracket text holds a newline. */
  readonly block: boolean;
  readonly content: ContentNode[];
}

/** A reference-style link definition `[id]: url "title"`; remark.js keeps one table for the whole deck. */
export interface LinkDefinition {
  readonly href: string;
  readonly title?: string;
}

/** Link ids are lower-cased, as marked does. */
export type LinkTable = Record<string, LinkDefinition>;

/** One `---`/`--` chunk of the source as the remark.js parser sees it, before templates and layouts. */
export interface ParsedSlide {
  /** Properties from the first lines (`name: x`) and HTML comments (`<!-- class: y -->`); all values strings. */
  readonly properties: Record<string, string>;
  readonly content: ContentNode[];
  /** Presenter notes after `???`; null when the slide has none. */
  readonly notes: ContentNode[] | null;
  /** 1-based line of the source where the slide's text starts (de-indenting and entity decoding keep lines). */
  readonly line: number;
}

export interface ParsedDeck {
  readonly slides: ParsedSlide[];
  readonly links: LinkTable;
}

/** Options of the slideshow model, with remark.js's (and container.training's) meaning. */
export interface SlideshowOptions {
  /** Slides whose class (after inheritance, split on ", " as container.training's fork does) is listed are dropped. */
  readonly excludedClasses: readonly string[];
  /** remark.js `countIncrementalSlides` (default true). */
  readonly countIncrementalSlides: boolean;
}

/** A slide as remark.js shows it: layouts, templates, increments, exclusion and {{variables}} applied. */
export interface ModelSlide {
  /** 1-based position among shown slides: what `#N` in the URL means. */
  readonly position: number;
  /** The displayed slide number (count: false and countIncrementalSlides change it). */
  readonly number: number;
  readonly name: string | undefined;
  /** The `class` property split on /,| / without empty parts, as remark.js adds them to .remark-slide-content. */
  readonly classes: string[];
  readonly properties: Record<string, string>;
  /** Content after template/layout merge and {{variable}} expansion: what is rendered. */
  readonly content: ContentNode[];
  /** The slide's own content, before a template or the previous increment was merged in (for step extraction). */
  readonly ownContent: ContentNode[];
  readonly notes: ContentNode[];
  /** True for a `--` increment. */
  readonly continued: boolean;
  /** 1-based line of the source where the slide's own text starts. */
  readonly line: number;
}

export interface RenderOptions {
  /** container.training sets true: backticks inside code blocks mark highlighted spans. */
  readonly highlightSpans: boolean;
  /** remark.js `highlightLanguage`: language for code blocks that name none ('' = no highlighting). */
  readonly highlightLanguage: string;
  /** remark.js `slideNumberFormat`: `%current%` and `%total%` are replaced once each. */
  readonly slideNumberFormat: string;
}

export interface RenderedSlide {
  readonly position: number;
  readonly number: number;
  readonly name: string | undefined;
  readonly classes: string[];
  readonly properties: Record<string, string>;
  readonly continued: boolean;
  /** Inner HTML of .remark-slide-content, without the slide number element. Sanitized. */
  readonly html: string;
  /** Inner HTML of .remark-slide-notes. Sanitized. '' when there are none. */
  readonly notesHtml: string;
  /** Text of the slide number element, e.g. "12/340". */
  readonly numberText: string;
  readonly source: SourceLocation;
}
