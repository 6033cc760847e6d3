// Slide content → HTML, as remark.js 0.14.1 shows it. The only door to unified/remark/hast in labdeck.
//
// Per content list (remark.js `convertMarkdown`): content classes are converted first (content-classes.ts), the
// chunk's markdown goes through remark + GFM, adjusted to marked 0.3.1 (marked-compat.ts), and the HTML is
// normalised as the browser's innerHTML round-trip does (parse5: html-fragment.ts), which e.g. splits a `<p>` around
// a block `<div>`.
// Per slide (remark.js slide view): code blocks are post-processed (code-blocks.ts) and the result is sanitized
// (html-schema.ts). Rendering is memoised per slide content, so re-rendering an edited deck only converts what changed.
import { remark } from 'remark';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';
import { defaultHandlers, type Raw, type State } from 'mdast-util-to-hast';
import { toHtml } from 'hast-util-to-html';
import { sanitize } from 'hast-util-sanitize';
import type { Element, ElementContent, Root, RootContent } from 'hast';
import type { Code, InlineCode, ListItem, Root as MdastRoot, Text } from 'mdast';
import type { VFile } from 'vfile';
import { assembleMarkdown } from './content-classes.ts';
import { adjustTree, prepareMarkdown, restoreHtmlBlocks, type PreparedMarkdown } from './marked-compat.ts';
import { highlightCode, highlightCodeSpans, mayHaveCodeSpans, wrapCodeLines } from './code-blocks.ts';
import { slideSchema } from './html-schema.ts';
import { parseHtmlFragment as parseFragment } from './html-fragment.ts';
import type { ContentNode, LinkTable, ModelSlide, RenderedSlide, RenderOptions } from './types.ts';
import { elementAt } from '../errors.ts';

declare module 'vfile' {
  interface DataMap {
    /** The chunk as prepared for remark (the value parsed also has link definitions before it). */
    prepared: PreparedMarkdown;
  }
}

function markedCompat() {
  return (tree: MdastRoot, file: VFile): void => {
    const { prepared } = file.data;
    if (!prepared) throw new Error('markedCompat converts only chunks prepared by markdownToHtml');
    adjustTree(tree, String(file.value), prepared.looseItems);
  };
}

/** marked's `escape(text, true)`: its HTML spells out `"`, `'` and `>` in text and code, not only `&` and `<`. */
function escapeAsMarked(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Text (and code) written as marked writes it. The browser reads both spellings alike, except where remark.js
 * splices a content class's HTML into its parent's markdown and marked takes part of it as code: then the
 * references show (`echo &quot;` when a `]` in code closes a class early).
 */
function asMarkedText(node: ElementContent): ElementContent {
  if (node.type === 'text') return { type: 'raw', value: escapeAsMarked(node.value) } satisfies Raw;
  if (node.type === 'element') node.children = node.children.map(asMarkedText);
  return node;
}

const processor = remark()
  .use(remarkGfm, { singleTilde: false })
  .use(markedCompat)
  .use(remarkHtml, {
    sanitize: false,
    handlers: {
      // Without its parent the default handler decides `<p>` from the item's own `spread`, which marked-compat
      // set item by item as marked does.
      listItem: (state: State, node: ListItem) => defaultHandlers.listItem(state, node, undefined),
      text: (state: State, node: Text) => asMarkedText(defaultHandlers.text(state, node)),
      code: (state: State, node: Code) => asMarkedText(defaultHandlers.code(state, node)),
      inlineCode: (state: State, node: InlineCode) => asMarkedText(defaultHandlers.inlineCode(state, node)),
    },
  })
  .freeze();

/** `[id]: url "title"` lines for the deck-wide link table entries this chunk may reference. */
function definitionsFor(markdown: string, links: LinkTable): string {
  let definitions = '';
  const lower = markdown.includes('[') ? markdown.toLowerCase() : '';
  if (lower === '') return definitions;
  for (const [id, link] of Object.entries(links)) {
    if (!lower.includes(`[${id}]`)) continue;
    const title = link.title === undefined ? '' : ` "${link.title.replace(/["\\]/g, '\\$&')}"`;
    definitions += `[${id.replace(/[[\]\\]/g, '\\$&')}]: <${link.href.replace(/[<>\\]/g, '\\$&')}>${title}\n\n`;
  }
  return definitions;
}

/** marked 0.3.1 output for one chunk of markdown. */
function markdownToHtml(markdown: string, links: LinkTable): string {
  const prepared = prepareMarkdown(markdown);
  // Definitions go first: nothing (an unclosed fence, a list) can swallow them there.
  const value = definitionsFor(prepared.text, links) + prepared.text;
  const html = String(processor.processSync({ value, data: { prepared } }));
  return restoreHtmlBlocks(html, prepared);
}

/**
 * Text in which neither marked nor CommonMark sees any markup (`.debug[(automatically generated title slide)]`):
 * one line starting with a letter, no emphasis/link/HTML/escape characters, no URL, nothing trailing.
 */
const plainText = /^[A-Za-z(][A-Za-z0-9 ,.()'"?;:/-]*[A-Za-z0-9.)'"?]$/;

/** remark.js's recursive `convertMarkdown` (before the outer innerHTML round-trips). */
function convert(content: readonly ContentNode[], links: LinkTable, inline: boolean): string {
  const markdown = assembleMarkdown(content, (inner, innerInline) => convert(inner, links, innerInline));
  const source = markdown.replace(/^\s+/, '');
  // Spans of plain words are common (one `.debug[...]` per slide in container.training): skip the parser.
  if (plainText.test(source) && !source.includes('http')) {
    const text = escapeAsMarked(source);
    return inline ? text : `<p>${text}</p>\n`;
  }
  const html = markdownToHtml(source, links);
  return inline ? unwrapSingleParagraph(html) : html;
}

/** Inside a span class, HTML that is exactly one `<p>` element is replaced by that paragraph's inner HTML. */
function unwrapSingleParagraph(html: string): string {
  if (!/^\s*<p>/.test(html)) return html;
  const elements = parseFragment(html).children.filter((node): node is Element => node.type === 'element');
  const only = elements.length === 1 ? elements[0] : undefined;
  return only?.tagName === 'p' ? serialize(only.children) : html;
}

/** Serialise with named references (`&amp;`, `&lt;`) as the browser's innerHTML does. */
function serialize(nodes: Root | ElementContent[]): string {
  return toHtml(nodes, { characterReferences: { useNamedReferences: true } });
}

const notNbspWhitespace = /^[^\S\u00a0]*$/;

/** remark.js removes `<p>\s*</p>` from the serialised HTML (NBSP is serialised as `&nbsp;`, so it stays). */
function removeEmptyParagraphs(parent: Root | Element): void {
  parent.children = parent.children.filter(
    (node) =>
      !(
        node.type === 'element' &&
        node.tagName === 'p' &&
        Object.keys(node.properties).length === 0 &&
        node.children.every((child) => child.type === 'text' && notNbspWhitespace.test(child.value))
      ),
  ) as typeof parent.children;
  for (const child of parent.children) if (child.type === 'element') removeEmptyParagraphs(child);
}

/** remark.js drops one trailing newline of the serialised HTML. */
function dropTrailingNewline(tree: Root): void {
  const last = tree.children[tree.children.length - 1];
  if (last?.type === 'text') last.value = last.value.replace(/\n\r?$/, '');
}

/** The converted content as the slide's DOM holds it after remark.js's innerHTML round-trips. */
function contentTree(content: readonly ContentNode[], links: LinkTable, inline: boolean): Root {
  const tree = parseFragment(convert(content, links, inline));
  removeEmptyParagraphs(tree);
  dropTrailingNewline(tree);
  return tree;
}

/**
 * remark.js `converter.convertMarkdown(content, links, inline)`: HTML of a content list, normalised like the browser
 * DOM would (not sanitized, no code post-processing: that is per slide, see renderSlides).
 */
export function renderContent(content: ContentNode[], links: LinkTable, inline = false): string {
  return serialize(contentTree(content, links, inline));
}

function classNames(element: Element): string[] {
  const value = element.properties.className;
  return Array.isArray(value) ? value.map(String) : [];
}

/** The DOM's `textContent`: what highlight.js reads from a code block. */
function textContent(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') {
    return (node.children as RootContent[]).map(textContent).join('');
  }
  return '';
}

function childElements(parent: Root): ElementContent[] {
  return parent.children.filter((node): node is ElementContent => node.type !== 'doctype');
}

/** remark.js `highlightCodeBlocks` on one `<code>`. */
function processCode(code: Element, parent: Element | Root, options: RenderOptions): void {
  let classes = classNames(code);
  if (classes.length === 0 && options.highlightLanguage !== '') classes = [options.highlightLanguage];
  if (!(parent.type === 'element' && parent.tagName === 'pre')) {
    code.properties.className = [...classes, 'remark-inline-code'];
    return;
  }
  const highlighted = highlightCode(textContent(code), classes.join(' '));
  if (highlighted) classes = highlighted.classNames;
  const lines = parseFragment(wrapCodeLines(highlighted ? highlighted.html : serialize(code.children)));
  if (options.highlightSpans) {
    for (const line of lines.children) {
      if (line.type !== 'element') continue;
      const lineHtml = serialize(line.children);
      if (mayHaveCodeSpans(lineHtml)) line.children = childElements(parseFragment(highlightCodeSpans(lineHtml)));
    }
  }
  code.children = childElements(lines);
  code.properties.className = [...classes, 'remark-code'];
}

function processCodeBlocks(parent: Element | Root, options: RenderOptions): void {
  for (const child of parent.children as RootContent[]) {
    if (child.type !== 'element') continue;
    if (child.tagName === 'code') processCode(child, parent, options);
    else processCodeBlocks(child, options);
  }
}

/** Slide (or notes) HTML as remark.js's slide view leaves it, sanitized. */
function renderSlideContent(content: readonly ContentNode[], links: LinkTable, options: RenderOptions): string {
  if (content.length === 0) return '';
  const tree = contentTree(content, links, false);
  processCodeBlocks(tree, options);
  return serialize(sanitize(tree, slideSchema) as Root);
}

/** `slideNumberFormat` with `%current%` and `%total%` replaced once each, as remark.js does. */
export function slideNumberText(format: string, current: number, total: number): string {
  return format.replace('%current%', () => String(current)).replace('%total%', () => String(total));
}

export type RenderedSlideBody = Omit<RenderedSlide, 'source'>;

export interface SlideHtml {
  readonly html: string;
  readonly notesHtml: string;
}

export interface SlideRenderer {
  /** Render a slideshow; slides whose content, notes, links and options are unchanged come from the cache. */
  renderSlides(slides: readonly ModelSlide[], links: LinkTable, options: RenderOptions): RenderedSlideBody[];
  /**
   * Takes `rendered`, the HTML of these very slides rendered earlier (the render cache on disk), as the last call's
   * slides: the next renderSlides converts only what changed since. Ignored unless there is one per slide.
   */
  remember(slides: readonly ModelSlide[], links: LinkTable, options: RenderOptions, rendered: readonly SlideHtml[]): void;
}

/** Content (or notes) of one slide → its HTML. */
export type SlideContentRenderer = (content: readonly ContentNode[], links: LinkTable, options: RenderOptions) => string;

/**
 * A renderer remembering the HTML of the slides it rendered last time. The cache holds one generation (the last
 * call's slides), so it never grows beyond one deck; it is keyed by the slide's content and notes, and emptied when
 * the link table or the render options change (they affect every slide). `convert` is replaceable so that a test can
 * count conversions: cached and converted slides give the same HTML.
 */
export function createRenderer(convert: SlideContentRenderer = renderSlideContent): SlideRenderer {
  let cache = new Map<string, SlideHtml>();
  let contextKey = '';
  const contextOf = (links: LinkTable, options: RenderOptions) => JSON.stringify([links, options.highlightSpans, options.highlightLanguage]);
  const slideKey = (slide: ModelSlide) => JSON.stringify([slide.content, slide.notes]);

  return {
    remember(slides, links, options, rendered) {
      if (rendered.length !== slides.length) return;
      cache = new Map(rendered.map(({ html, notesHtml }, i) => [slideKey(elementAt(slides, i)), { html, notesHtml }]));
      contextKey = contextOf(links, options);
    },
    renderSlides(slides, links, options) {
      const context = contextOf(links, options);
      const previous = context === contextKey ? cache : new Map<string, SlideHtml>();
      const next = new Map<string, SlideHtml>();
      const total = slides.at(-1)?.number ?? 0;
      const rendered = slides.map((slide) => {
        const key = slideKey(slide);
        let body = next.get(key) ?? previous.get(key);
        if (!body) {
          body = {
            html: convert(slide.content, links, options),
            notesHtml: convert(slide.notes, links, options),
          };
        }
        next.set(key, body);
        return {
          position: slide.position,
          number: slide.number,
          name: slide.name,
          classes: slide.classes,
          properties: slide.properties,
          continued: slide.continued,
          html: body.html,
          notesHtml: body.notesHtml,
          numberText: slideNumberText(options.slideNumberFormat, slide.number, total),
        };
      });
      cache = next;
      contextKey = context;
      return rendered;
    },
  };
}

const sharedRenderer = createRenderer();

/** Render a slideshow with the module's shared (memoised) renderer. */
export function renderSlides(slides: ModelSlide[], links: LinkTable, options: RenderOptions): RenderedSlideBody[] {
  return sharedRenderer.renderSlides(slides, links, options);
}

/** Tell the shared renderer the HTML of slides rendered earlier (see SlideRenderer.remember). */
export function rememberSlides(slides: ModelSlide[], links: LinkTable, options: RenderOptions, rendered: readonly SlideHtml[]): void {
  sharedRenderer.remember(slides, links, options, rendered);
}
