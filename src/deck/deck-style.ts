// A deck's own stylesheet (container.training's workshop.css, or the files `stylesheet:` names) made fit for
// labdeck's page, as remark.js's page would apply it, without touching labdeck's interface:
// - Scoping by selector rewriting: every selector is put under `.remark-slide-container` (the box of one slide, on
//   the audience view, the presenter's preview and the print view alike); `html`, `body` and `:root` become that box,
//   so what an author sets there (fonts, colours) still reaches the slides. `@scope` would need newer browsers than
//   the client's targets and cannot hold @font-face or @page; a shadow root would cut the slides off from the code
//   that decorates them (step badges, Run/Copy) and from labdeck's own styles for them.
// - labdeck's own controls inside slides carry `uiClass`: each selector's subject excludes them (with zero
//   specificity), so `div img`, `a` or `code` rules of the deck never restyle a badge or a button.
// - Fonts: a remote `@import` of a font service is never kept; the families it asks for become local @font-face rules
//   (FontFaceSource, files served by labdeck). Any other remote @import is dropped with a notice.
// - `@page { size }` is read out (the print view sizes its pages: client/print.ts) rather than kept.
// - Relative url()s are made relative to the workshop folder, where the page is, and listed (they are served).
// - An emoji font ends every font-family list, so that emoji print where the machine has no emoji font.
// Pure: the caller reads the files and gives the font faces.
import type { SourceLocation } from '../errors.ts';
import { parseCssStatements, splitTopLevel, type CssStatement } from './css-statements.ts';
import { dirnameOf, resolvePath } from './manifest.ts';

/** The class of one slide's box in labdeck's page (remark.js's name): every deck selector is put under it. */
export const slideScope = '.remark-slide-container';
/** The emoji family labdeck serves (@fontsource/noto-color-emoji), last in every font-family list of a deck stylesheet. */
export const emojiFamily = 'Noto Color Emoji';

export interface StylesheetText {
  readonly css: string;
  /** Its path relative to the workshop folder ('/'-separated): its relative url()s start from its folder. */
  readonly path: string;
  /** How notices name it. */
  readonly file: string;
}

export interface FontVariant {
  readonly weight: number;
  readonly style: 'normal' | 'italic';
}

/** @font-face rules for `family` (as the stylesheet names it) in these variants, or undefined: labdeck has no such font. */
export type FontFaceSource = (family: string, variants: readonly FontVariant[]) => string | undefined;

export interface DeckStyleOptions {
  readonly fontFaces: FontFaceSource;
  /** The class of labdeck's controls inside slides, which deck rules must not style. */
  readonly uiClass: string;
}

export interface ScopedDeckStyle {
  readonly css: string;
  /** What `@page { size }` asks, in CSS pixels; null when no stylesheet asks a size. */
  readonly pageSize: { readonly width: number; readonly height: number } | null;
  /** The workshop files the CSS references (pictures, fonts), relative to the workshop folder, in order. */
  readonly files: readonly string[];
  /** What was not applied, and why, at its `file:line`. */
  readonly notices: readonly { readonly location: SourceLocation; readonly message: string }[];
}

export function scopeDeckStyle(sheets: readonly StylesheetText[], options: DeckStyleOptions): ScopedDeckStyle {
  const fontRules: string[] = [];
  const rules: string[] = [];
  const files = new Set<string>();
  const notices: { location: SourceLocation; message: string }[] = [];
  let pageSize: ScopedDeckStyle['pageSize'] = null;

  for (const sheet of sheets) {
    const folder = dirnameOf(sheet.path);
    const notice = (line: number, message: string) => notices.push({ location: { file: sheet.file, line }, message });
    const declarations = (block: string): string => withEmojiFallback(relativeUrls(block, folder, files));
    const rewrite = (statements: readonly CssStatement[], indent: string): string[] =>
      statements.flatMap((statement): string[] => {
        if (statement.kind === 'rule') return [`${indent}${scopeSelector(statement.selector, options.uiClass)} {${declarations(statement.block)}}`];
        const { name, prelude, block, line } = statement;
        if (name === 'import') {
          fontRules.push(...importedFonts(prelude, options.fontFaces, (message) => notice(line, message)));
          return [];
        }
        if (name === 'charset') return [];
        if (name === 'page') {
          pageSize = pageSizeOf(block ?? '') ?? pageSize;
          return [];
        }
        if (block === null) return [`${indent}@${name} ${prelude};`];
        if (groupingRules.has(name)) return [`${indent}@${name} ${prelude} {`, ...rewrite(parseCssStatements(block, line), `${indent}  `), `${indent}}`];
        // @font-face, @keyframes, @counter-style…: global by nature, kept as they are but for their URLs.
        return [`${indent}@${name} ${prelude} {${relativeUrls(block, folder, files)}}`];
      });
    rules.push(...rewrite(parseCssStatements(sheet.css), ''));
  }
  return { css: [...fontRules, ...rules].join('\n'), pageSize, files: [...files], notices };
}

/** At-rules whose block holds style rules, which are scoped like the top level's. */
const groupingRules = new Set(['media', 'supports', 'layer', 'container', 'document', '-moz-document']);

/** A selector list with each selector under the slide's box and its subject never one of labdeck's controls. */
export function scopeSelector(selectorList: string, uiClass: string): string {
  const notUi = `:where(:not(.${uiClass}, .${uiClass} *))`;
  return splitTopLevel(selectorList, ',')
    .map((selector) => withSubjectFilter(underScope(selector.trim()), notUi))
    .join(', ');
}

/** `html`, `body`, `:root` at the start are the slide's box; a selector naming the box already is left as it is. */
function underScope(selector: string): string {
  let rest = selector;
  let root = false;
  for (;;) {
    const keyword = /^(?:html|body|:root)(?![-\w])/i.exec(rest);
    if (!keyword) break;
    root = true;
    const after = rest.slice(keyword[0].length);
    const combinator = /^\s*(?:>\s*)?/.exec(after)?.[0] ?? '';
    // `body.dark x`: what is attached to the keyword stays attached to the box.
    if (combinator === '') return `${slideScope}${after}`;
    rest = after.slice(combinator.length);
  }
  if (root) return `${slideScope} ${rest}`;
  if (firstCompound(selector).includes(slideScope)) return selector;
  return `${slideScope} ${selector}`;
}

function firstCompound(selector: string): string {
  return /^[^\s>+~]*/.exec(selector)?.[0] ?? '';
}

/** `filter` added to the last compound, before its pseudo-element (which must stay last). */
function withSubjectFilter(selector: string, filter: string): string {
  const pseudoElement = /(::[-\w]+(\([^)]*\))?|:(?:before|after|first-line|first-letter))$/i.exec(selector);
  if (!pseudoElement) return `${selector}${filter}`;
  return `${selector.slice(0, pseudoElement.index)}${filter}${pseudoElement[0]}`;
}

/** Relative url()s resolved from the stylesheet's folder to the workshop folder (recorded in `files`). */
function relativeUrls(block: string, folder: string, files: Set<string>): string {
  return block.replace(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi, (whole, quote: string, url: string) => {
    if (url === '' || /^([a-z][-+.a-z0-9]*:|\/|#)/i.test(url)) return whole; // remote, data:, absolute, fragment
    const [path = '', suffix = ''] = url.split(/(?=[?#])/, 2);
    const resolved = resolvePath(folder, path);
    if (resolved.startsWith('..') || resolved.startsWith('/')) return whole; // outside the workshop folder: never served
    files.add(resolved);
    return `url(${quote}${resolved}${suffix}${quote})`;
  });
}

/** Every font-family list ends with the emoji font (after the author's own fallbacks): emoji show on any machine. */
function withEmojiFallback(block: string): string {
  return block.replace(
    /(^|[;{\s])(font-family\s*:\s*)([^;!}]*?)(\s*)(!important)?(?=\s*(;|}|$))/gi,
    (whole, before: string, property: string, families: string, space: string, important?: string) => {
      if (families.trim() === '' || /^(inherit|initial|unset|revert|revert-layer)$/i.test(families.trim())) return whole;
      if (families.toLowerCase().includes(emojiFamily.toLowerCase())) return whole;
      return `${before}${property}${families}, "${emojiFamily}"${space}${important ?? ''}`;
    },
  );
}

/** The local faces for an `@import` of a font service; nothing (and a notice) for any other remote import. */
function importedFonts(prelude: string, fontFaces: FontFaceSource, notice: (message: string) => void): string[] {
  const url = importUrl(prelude);
  if (url === undefined) {
    notice(`@import ${prelude} not applied: it names no URL`);
    return [];
  }
  const families = fontServiceFamilies(url);
  if (!families) {
    const remote = /^([a-z][-+.a-z0-9]*:)?\/\//i.test(url);
    notice(
      remote
        ? `@import of ${url} not applied: the page fetches nothing from other sites (name the file under "stylesheet:" in workshop.yml instead)`
        : `@import of ${url} not applied: name the file under "stylesheet:" in workshop.yml instead`,
    );
    return [];
  }
  return families.flatMap(({ family, variants }) => {
    const faces = fontFaces(family, variants);
    if (faces === undefined) notice(`font "${family}" is not one labdeck serves: the slides use a fallback font`);
    return faces === undefined ? [] : [faces];
  });
}

function importUrl(prelude: string): string | undefined {
  const match = /^(?:url\(\s*(["']?)([^"')]*)\1\s*\)|(["'])(.*?)\3)/i.exec(prelude.trim());
  return match ? (match[2] ?? match[4]) : undefined;
}

/** Hosts that answer Google Fonts' API (`css?family=` and `css2?family=`). */
const fontServiceHosts = new Set(['fonts.googleapis.com', 'fonts.bunny.net']);

/** The families and variants a font service URL asks for; undefined when it is not a font service's. */
export function fontServiceFamilies(url: string): { family: string; variants: FontVariant[] }[] | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://invalid.invalid/');
  } catch {
    return undefined;
  }
  if (!fontServiceHosts.has(parsed.hostname)) return undefined;
  const css2 = parsed.pathname.endsWith('/css2');
  const specs = parsed.searchParams.getAll('family').flatMap((value) => (css2 ? [value] : value.split('|')));
  return specs
    .filter((spec) => spec.trim() !== '')
    .map((spec) => {
      const [name = '', variantText = ''] = spec.split(':', 2);
      const variants = css2 ? css2Variants(variantText) : css1Variants(variantText);
      return { family: name.replace(/\+/g, ' ').trim(), variants: variants.length > 0 ? variants : [{ weight: 400, style: 'normal' }] };
    });
}

/** `400,700,400italic`, `400i`, `bold`, `bolditalic`. */
function css1Variants(text: string): FontVariant[] {
  return text
    .split(',')
    .map((variant) => variant.trim().toLowerCase())
    .filter((variant) => variant !== '')
    .map((variant) => {
      const italic = /i(talic)?$/.test(variant) && variant !== 'bi' ? true : variant === 'bi';
      const weight = /^\d+/.exec(variant)?.[0];
      const bold = /^b(old)?/.test(variant);
      return { weight: weight ? Number(weight) : bold ? 700 : 400, style: italic ? 'italic' : 'normal' };
    });
}

/** `ital,wght@0,400;1,700` or `wght@400;700`. */
function css2Variants(text: string): FontVariant[] {
  const [axesText = '', tuplesText = ''] = text.split('@', 2);
  const axes = axesText.split(',');
  return tuplesText
    .split(';')
    .filter((tuple) => tuple !== '')
    .map((tuple) => {
      const values = tuple.split(',');
      const value = (axis: string) => values[axes.indexOf(axis)];
      const weight = Number(value('wght') ?? 400);
      return { weight: Number.isFinite(weight) ? weight : 400, style: value('ital') === '1' ? 'italic' : 'normal' };
    });
}

/** `size: 1210px 681px` (or one length for a square); other units and keywords (A4, landscape) are not read. */
function pageSizeOf(block: string): { width: number; height: number } | undefined {
  const size = /(?:^|[;\s])size\s*:\s*([\d.]+)px(?:\s+([\d.]+)px)?\s*(?:;|$)/i.exec(block.trim());
  if (!size) return undefined;
  const width = Number(size[1]);
  const height = size[2] === undefined ? width : Number(size[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}
