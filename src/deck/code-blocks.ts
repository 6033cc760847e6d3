// What remark.js's slide view does to `<code>` after the markdown is converted (`highlightCodeBlocks`), as string
// operations on the code element's inner HTML; render.ts walks the tree and re-parses as the browser would.
//
// Deliberate difference: remark.js bundles highlight.js 9 and auto-detects the language of code blocks whose class
// names no known language. We highlight with highlight.js 11 only when the name is known, so pseudo-languages
// (`key`, `wait`, `tmux`, ...) and unlabelled blocks stay plain text instead of getting a guessed colouring.
import hljs from 'highlight.js';

/** Class names with which highlight.js 9 skips highlighting. */
const notHighlighted = /^(no-?highlight|plain|text)$/i;

let canonicalNames: Map<object, string> | undefined;

/** highlight.js 9 adds the canonical name of an alias (`js` → `javascript`) next to the class it was given. */
function canonicalName(language: object): string | undefined {
  if (!canonicalNames) {
    canonicalNames = new Map();
    for (const name of hljs.listLanguages()) {
      const registered = hljs.getLanguage(name);
      if (registered) canonicalNames.set(registered, name);
    }
  }
  return canonicalNames.get(language);
}

export interface HighlightedCode {
  /** Inner HTML of the code element: highlight.js token spans. */
  readonly html: string;
  /** The code element's classes afterwards, in highlight.js 9's order: given class, `hljs`, canonical name. */
  readonly classNames: string[];
}

/** Highlight `text` as `className` names it; undefined when the name is not a language highlight.js knows. */
export function highlightCode(text: string, className: string): HighlightedCode | undefined {
  const name = className.trim();
  if (name === '' || /\s/.test(name) || notHighlighted.test(name)) return undefined;
  const language = hljs.getLanguage(name);
  if (!language) return undefined;
  const html = hljs.highlight(text, { language: name, ignoreIllegals: true }).value;
  const classNames = [name, 'hljs'];
  const canonical = canonicalName(language);
  if (canonical && !name.includes(canonical)) classNames.push(canonical);
  return { html, classNames };
}

/**
 * remark.js `wrapLines`: every line of the code's inner HTML in a `remark-code-line` div. The last one is dropped
 * when its wrapped HTML contains `><` — meant for the empty line after the final newline, but a last line that
 * starts with a tag goes too, and we keep that quirk.
 */
export function wrapCodeLines(innerHtml: string): string {
  const lines = innerHtml.split(/\r?\n/).map((line) => `<div class="remark-code-line">${line}</div>`);
  if (lines.at(-1)?.includes('><')) lines.pop();
  return lines.join('');
}

/**
 * remark.js `highlightSpans` on one line's inner HTML: `` `text` `` → highlighted span. The opening backtick needs a
 * preceding character (so column 0 cannot open a span), and a backslash before it cancels the span and is removed
 * while the closing backtick stays as typed.
 */
export function highlightCodeSpans(lineHtml: string): string {
  return lineHtml.replace(/([^`])`([^`]+?)`/g, (match: string, before: string, text: string) =>
    before === '\\' ? match.slice(1) : `${before}<span class="remark-code-span-highlighted">${text}</span>`,
  );
}

/** Whether a line may hold a highlighted span (saves re-parsing lines that cannot change). */
export function mayHaveCodeSpans(lineHtml: string): boolean {
  return lineHtml.includes('`');
}
