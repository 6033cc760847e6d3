// remark.js 0.14.1's lexer and parser, reproduced quirk for quirk: source text → ParsedSlide[] (before templates and
// layouts, which slideshow.ts applies). Reference: remark.js 0.14.1's src/remark/lexer.js and parser.js
// (https://github.com/gnab/remark) and docs/conformance.md.
import { decodeHTML } from 'entities';
import { elementAt, LabdeckError, type SourceLocation } from '../errors.ts';
import type { ContentClass, ContentNode, LinkTable, ParsedDeck, ParsedSlide } from './types.ts';

/**
 * What remark.js reads when markdown is pasted raw into `<textarea id="source">` (container.training's way): the HTML
 * parser normalises newlines and decodes character references once (legacy ones without `;` included), then remark
 * reads `innerHTML`, which escapes `& < >` and NBSP, and its unescape() reverts only `&lt; &gt; &amp; &quot;`.
 * Net effect: NBSP becomes the text `&nbsp;`, and a `&quot;` left by the first decoding is decoded a second time.
 */
export function decodeAsTextarea(markdown: string): string {
  return decodeHTML(markdown.replace(/\r\n?/g, '\n'))
    .replace(/\u00a0/g, '&nbsp;')
    .replace(/&quot;/g, '"');
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

const RULES: Record<string, RegExp> = {
  CODE: /(?:^|\n)( {4}[^\n]+\n*)+/,
  INLINE_CODE: /`([^`]+?)`/,
  CONTENT: /(?:\\)?((?:\.[a-zA-Z_-][a-zA-Z\-_0-9]*)+)\[/,
  // `\4` only means "the same fence" once combined, where FENCES is group 4: hence a string, not a literal.
  // biome-ignore lint/complexity/useRegexLiterals: the back-reference needs the string form (above)
  FENCES: new RegExp(String.raw`(?:^|\n) *(\`{3,}|~{3,}) *(?:\S+)? *\n(?:[\s\S]+?)\s*\4 *(?:\n+|$)`),
  DEF: /(?:^|\n) *\[([^\]]+)\]: *<?([^\s>]+)>?(?: +["(]([^\n]+)[")])? *(?:\n+|$)/,
  MACRO: /!\[:([^\] ]+)([^\]]*)\](?:\(([^)]*)\))?/,
  SEPARATOR: /(?:^|\n)(---?)(?:\n|$)/,
  NOTES_SEPARATOR: /(?:^|\n)(\?{3})(?:\n|$)/,
};

// Capture groups of the combined regex (9 and 10, a macro's arguments and `this`, go unused: `hello` takes none).
const CODE = 1;
const INLINE_CODE = 2;
const CONTENT = 3;
const FENCES = 4;
const DEF_ID = 5;
const DEF_HREF = 6;
const DEF_TITLE = 7;
const MACRO_NAME = 8;
const SEPARATOR = 11;
const NOTES_SEPARATOR = 12;

/**
 * remark execs one combined regex on the *remaining* string, so `^` holds at every token boundary. Cutting the string
 * each time is quadratic on big decks; instead one sticky copy tries the current position with `^` true, and one
 * global copy searches further on with `^` false. Together they find exactly the match remark finds.
 */
interface Grammar {
  readonly atBoundary: RegExp;
  readonly further: RegExp;
}

function grammar(names: string): Grammar {
  // biome-ignore lint/style/noNonNullAssertion: the names are RULES keys, written in the grammar() calls below
  const source = names.replace(/\w{2,}/g, (name) => RULES[name]!.source);
  // Every `^` in RULES is an anchor written `(?:^|`; the others are character-class negations.
  return {
    atBoundary: new RegExp(source.replaceAll('(?:^|', '(?:|'), 'y'),
    further: new RegExp(source.replaceAll('(?:^|', '(?:(?!)|'), 'g'),
  };
}

const BLOCK = grammar('CODE|INLINE_CODE|CONTENT|FENCES|DEF|MACRO|SEPARATOR|NOTES_SEPARATOR');
/** Inside a content class: no separators, so `---` and `???` there are text. */
const INLINE = grammar('CODE|INLINE_CODE|CONTENT|FENCES|DEF|MACRO');

type Token =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'def'; readonly id: string; readonly href: string; readonly title: string | undefined }
  | { readonly type: 'macro'; readonly name: string; readonly offset: number }
  | { readonly type: 'separator'; readonly continued: boolean; readonly end: number; readonly dashes: number }
  | { readonly type: 'notes_separator' }
  | { readonly type: 'content_start'; readonly classes: string[]; readonly block: boolean }
  | { readonly type: 'content_end' };

interface LexListeners {
  /** Called for each `.x[` whose bracket never closes (remark then keeps it as text). */
  readonly unclosed?: (offset: number, classes: string[]) => void;
  /** Called for each `.x[` whose bracket closes only after a slide separator, at the offset of its first `---`/`--`. */
  readonly acrossSlides?: (offset: number, classes: string[], separator: number) => void;
}

/**
 * Deeper nesting of content classes is refused. No slide needs more than a few levels, while remark.js, the lexer
 * here and the renderer handle each level by recursion: a few thousand levels overflowed the stack.
 */
export const maxContentClassDepth = 100;

/** Thrown by the lexer at the `.x[` one level too deep; `lex` turns it into a LabdeckError at its line. */
class NestingTooDeep extends Error {
  constructor(
    readonly offset: number,
    readonly classes: string[],
  ) {
    super('content classes nested too deep');
  }
}

function nextMatch(rules: Grammar, src: string, position: number): RegExpExecArray | null {
  rules.atBoundary.lastIndex = position;
  const here = rules.atBoundary.exec(src);
  if (here) return here;
  if (position + 1 > src.length) return null;
  rules.further.lastIndex = position + 1;
  return rules.further.exec(src);
}

/** remark's naive depth counter: every `[`/`]` counts, inside code too; undefined when it never closes. */
function textInBrackets(src: string, start: number): string | undefined {
  let depth = 1;
  let position = start;
  while (depth > 0 && position < src.length) {
    const character = src[position++];
    if (character === '[') depth += 1;
    else if (character === ']') depth -= 1;
  }
  return depth === 0 ? src.slice(start, position - 1) : undefined;
}

/** The offset in `text` (lexed as slide text) of the first slide separator's dashes, if any. */
function firstSeparator(text: string, depth: number): number | undefined {
  if (!text.includes('\n--')) return undefined; // a separator after the opening bracket starts a line
  const tokens: Token[] = [];
  lexInto(text, BLOCK, tokens, 0, depth, {});
  for (const token of tokens) if (token.type === 'separator') return token.dashes;
  return undefined;
}

/**
 * `base` is the offset of `src` in the lexed source, so offsets in tokens are absolute; `depth` is the number of
 * content classes `src` is inside.
 */
function lexInto(src: string, rules: Grammar, tokens: Token[], base: number, depth: number, listeners: LexListeners): void {
  let position = 0;
  let match: RegExpExecArray | null;
  while ((match = nextMatch(rules, src, position)) !== null) {
    const start = match.index;
    let end = start + match[0].length;
    if (start > position) tokens.push({ type: 'text', text: src.slice(position, start) });
    if (match[CODE] || match[INLINE_CODE] || match[FENCES]) {
      tokens.push({ type: 'text', text: match[0] });
    } else if (match[DEF_ID]) {
      tokens.push({ type: 'def', id: match[DEF_ID].toLowerCase(), href: elementAt(match, DEF_HREF), title: match[DEF_TITLE] });
    } else if (match[MACRO_NAME]) {
      tokens.push({ type: 'macro', name: match[MACRO_NAME], offset: base + start });
    } else if (match[SEPARATOR]) {
      const dashes = base + start + (match[0].startsWith('\n') ? 1 : 0);
      tokens.push({ type: 'separator', continued: match[SEPARATOR] === '--', end: base + end, dashes });
    } else if (match[NOTES_SEPARATOR]) {
      tokens.push({ type: 'notes_separator' });
    } else {
      const classes = elementAt(match, CONTENT).substring(1).split('.');
      const escaped = match[0][0] === '\\';
      const inner = textInBrackets(src, end);
      if (inner === undefined) {
        if (!escaped) listeners.unclosed?.(base + start, classes);
        tokens.push({ type: 'text', text: match[0] });
      } else if (escaped) {
        // remark drops the backslash and does not lex the bracket text at all.
        tokens.push({ type: 'text', text: match[0].substring(1) + inner + ']' });
        end += inner.length + 1;
      } else {
        if (depth + 1 > maxContentClassDepth) throw new NestingTooDeep(base + start, classes);
        if (listeners.acrossSlides) {
          const separator = firstSeparator(inner, depth + 1);
          if (separator !== undefined) listeners.acrossSlides(base + start, classes, base + end + separator);
        }
        const block = inner.includes('\n');
        tokens.push({ type: 'content_start', classes, block });
        lexInto(inner, INLINE, tokens, base + end, depth + 1, listeners);
        tokens.push({ type: 'content_end' });
        end += inner.length + 1;
      }
    }
    position = end;
  }
  const rest = src.slice(position);
  if (rest || tokens.length === 0) tokens.push({ type: 'text', text: rest });
}

/** `locate` names the place of an offset of `source`, for the error about too deep nesting. */
function lex(source: string, locate: (offset: number) => SourceLocation, listeners: LexListeners = {}): Token[] {
  const tokens: Token[] = [];
  try {
    lexInto(source, BLOCK, tokens, 0, 0, listeners);
  } catch (error) {
    if (!(error instanceof NestingTooDeep)) throw error;
    throw new LabdeckError(
      `content classes nested deeper than ${maxContentClassDepth}: ".${error.classes.join('.')}[" here opens level ` +
        `${maxContentClassDepth + 1}; labdeck refuses that many (each level is handled by recursion, and no slide needs them)`,
      locate(error.offset),
    );
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

interface CleanSource {
  readonly text: string;
  /** Columns removed from every non-blank line. */
  readonly indent: number;
}

/** remark's cleanInput: de-indent by the smallest indentation of a non-blank line (tabs count as one). */
function cleanInput(source: string): CleanSource {
  const lineStart = /^([ \t]*)[^ \t\n]/gm;
  let indent = Infinity;
  let match: RegExpExecArray | null;
  while (indent > 0 && (match = lineStart.exec(source)) !== null) indent = Math.min(indent, elementAt(match, 1).length);
  // Infinity (no non-blank line): remark builds `{0,Infinity}`, which is no quantifier and removes nothing.
  if (indent === 0 || indent === Infinity) return { text: source, indent: 0 };
  return { text: source.replace(new RegExp(`^[ \\t]{0,${indent}}`, 'gm'), ''), indent };
}

/** remark.js 0.14.1 only ships this one; a string result is its own first content chunk once re-parsed. */
const BUILT_IN_MACROS: Record<string, () => string> = { hello: () => 'hello!' };

/** remark's extractProperties; both forms, applied to the first content chunk only. */
const PROPERTY = /^\n*([-\w]+):([^$\n]*)|\n*(?:<!--\s*)([-\w]+):([^$\n]*?)(?:\s*-->)/i;

function extractProperties(text: string, properties: Record<string, string>): string {
  let rest = text;
  let match: RegExpExecArray | null;
  while ((match = PROPERTY.exec(rest)) !== null) {
    rest = rest.slice(0, match.index) + rest.slice(match.index + match[0].length);
    if (match[1] !== undefined) properties[match[1].trim()] = elementAt(match, 2).trim();
    else properties[elementAt(match, 3).trim()] = elementAt(match, 4).trim();
  }
  return rest;
}

interface SlideDraft {
  readonly properties: Record<string, string>;
  /** remark keeps link definitions per slide and merges those of the slides it keeps into one table. */
  readonly links: LinkTable;
  readonly content: ContentNode[];
  notes: ContentNode[] | null;
  readonly line: number;
}

/** Appends to the notes once `???` was seen, else to the content; consecutive strings are joined. */
function append(target: SlideDraft | ContentClass, node: ContentNode): void {
  const nodes = 'notes' in target && target.notes !== null ? target.notes : target.content;
  const last = nodes.length - 1;
  if (typeof nodes[last] === 'string' && typeof node === 'string') nodes[last] += node;
  else nodes.push(node);
}

/** 1-based line of an offset: binary search over the offsets of '\n'. */
function lineFinder(text: string): (offset: number) => number {
  const newlines: number[] = [];
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) === 10) newlines.push(index);
  return (offset) => {
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (elementAt(newlines, middle) < offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

const defaultLocate = (line: number): SourceLocation => ({ file: '<deck>', line });

/**
 * Lexes and parses a deck the way remark.js 0.14.1 does. `locate` turns a line of `source` into the place a person
 * should fix (errors only; slides keep lines of `source`).
 */
export function parseSource(source: string, locate: (line: number) => SourceLocation = defaultLocate): ParsedDeck {
  const { text } = cleanInput(source);
  const lineAt = lineFinder(text);
  const newSlide = (line: number, continued: boolean): SlideDraft => ({
    properties: { continued: String(continued) },
    links: {},
    content: [],
    notes: null,
    line,
  });
  const slides: SlideDraft[] = [];
  let stack: (SlideDraft | ContentClass)[] = [newSlide(1, false)];
  const top = () => elementAt(stack, stack.length - 1);

  for (const token of lex(text, (offset) => locate(lineAt(offset)))) {
    switch (token.type) {
      case 'text':
        append(top(), token.text);
        break;
      case 'def':
        (stack[0] as SlideDraft).links[token.id] = token.title === undefined ? { href: token.href } : { href: token.href, title: token.title };
        break;
      case 'macro': {
        const macro = Object.hasOwn(BUILT_IN_MACROS, token.name) ? BUILT_IN_MACROS[token.name] : undefined;
        if (!macro) {
          throw new LabdeckError(
            `unknown macro "![:${token.name}]": remark.js 0.14.1 only knows "hello", and fails to load the whole deck`,
            locate(lineAt(token.offset)),
          );
        }
        append(top(), macro());
        break;
      }
      case 'content_start':
        stack.push({ classes: token.classes, block: token.block, content: [] });
        break;
      case 'content_end': {
        const node = stack.pop() as ContentClass;
        append(top(), node);
        break;
      }
      case 'separator':
        slides.push(stack[0] as SlideDraft);
        stack = [newSlide(lineAt(token.end), token.continued)];
        break;
      case 'notes_separator':
        (stack[0] as SlideDraft).notes = [];
        break;
    }
  }
  slides.push(stack[0] as SlideDraft);

  const parsed: ParsedSlide[] = [];
  const links: LinkTable = {};
  for (const slide of slides) {
    const first = slide.content[0];
    if (typeof first === 'string' || first === undefined) {
      slide.content[0] = extractProperties(first ?? '', slide.properties);
    }
    if ((slide.properties.exclude ?? '').toLowerCase() === 'true') continue;
    parsed.push({ properties: slide.properties, content: slide.content, notes: slide.notes, line: slide.line });
    Object.assign(links, slide.links);
  }
  return { slides: parsed, links };
}

export interface UnbalancedContentClass {
  /** 1-based, in the source given. */
  readonly line: number;
  /** 1-based column of the `.` that starts the class. */
  readonly column: number;
  readonly classes: string[];
}

/** Content classes whose `[` never closes (remark.js shows them as text): where a linter should point. */
export function findUnbalancedContentClasses(source: string): UnbalancedContentClass[] {
  const { text, indent } = cleanInput(source);
  const lineAt = lineFinder(text);
  const found: UnbalancedContentClass[] = [];
  const unclosed = (offset: number, classes: string[]) => {
    const column = offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
    found.push({ line: lineAt(offset), column: column + indent, classes });
  };
  lex(text, (offset) => defaultLocate(lineAt(offset)), { unclosed });
  return found;
}

export interface ContentClassAcrossSlides {
  /** 1-based lines, in the source given: of the `.x[` and of the first slide separator inside it. */
  readonly line: number;
  readonly separatorLine: number;
  readonly classes: string[];
}

/**
 * Content classes whose `]` comes only after a slide separator: remark.js shows the slides in between inside the
 * class (its lexer does not look for separators there), most likely not what the author meant.
 */
export function findContentClassesAcrossSlides(source: string): ContentClassAcrossSlides[] {
  const { text } = cleanInput(source);
  const lineAt = lineFinder(text);
  const found: ContentClassAcrossSlides[] = [];
  const acrossSlides = (offset: number, classes: string[], separator: number) => found.push({ line: lineAt(offset), separatorLine: lineAt(separator), classes });
  lex(text, (offset) => defaultLocate(lineAt(offset)), { acrossSlides });
  return found;
}
