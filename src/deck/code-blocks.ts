// What remark.js's slide view does to `<code>` after the markdown is converted (`highlightCodeBlocks`), as string
// operations on the code element's inner HTML; render.ts walks the tree and re-parses as the browser would.
//
// Deliberate difference: remark.js bundles highlight.js 9 and auto-detects the language of code blocks whose class
// names no known language. We highlight with highlight.js 11 only when the name is known, so pseudo-languages
// (`key`, `wait`, `tmux`, ...) and unlabelled blocks stay plain text instead of getting a guessed colouring.
import { createRequire } from 'node:module';
import hljs from 'highlight.js/lib/core';
import { highlightJsLanguages } from './highlight-languages.ts';

/** Class names with which highlight.js 9 skips highlighting. */
const notHighlighted = /^(no-?highlight|plain|text)$/i;

/**
 * A name or alias (lower case, as highlight.js looks them up) → the language's name, as highlight.js's full build
 * resolves it: aliases in registration order (a later language takes an alias over), names before aliases.
 */
const languageNames = new Map<string, string>();
for (const [name, aliases] of highlightJsLanguages) for (const alias of aliases) languageNames.set(alias.toLowerCase(), name);
for (const [name] of highlightJsLanguages) languageNames.set(name, name);

const loadLanguage = createRequire(import.meta.url);
const registered = new Set<string>();

/**
 * Registers a language of highlight.js on first use, with every language its grammar embeds (`subLanguage`): the
 * same grammars, sub-languages and aliases as the full build, which registers all of them at import. A grammar that
 * embeds "any language" (`subLanguage: []`, http's body) auto-detects among all registered ones: then all are.
 */
function register(name: string): void {
  if (registered.has(name)) return;
  registered.add(name);
  hljs.registerLanguage(name, loadLanguage(`highlight.js/lib/languages/${name}`));
  for (const embedded of subLanguages(hljs.getLanguage(name))) {
    if (embedded === 'any') for (const [other] of highlightJsLanguages) register(other);
    else {
      const other = languageNames.get(embedded.toLowerCase());
      if (other) register(other);
    }
  }
  // A language registered out of the full build's order may have taken an alias from another one: give it back.
  for (const [alias, owner] of languageNames) if (registered.has(owner)) hljs.registerAliases(alias, { languageName: owner });
}

/** The languages a grammar's modes embed; 'any' for `subLanguage: []`. */
function subLanguages(grammar: object | undefined): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || value instanceof RegExp || seen.has(value)) return;
    seen.add(value);
    if ('subLanguage' in value) {
      const embedded = value.subLanguage;
      if (typeof embedded === 'string') found.push(embedded);
      else if (Array.isArray(embedded)) found.push(...(embedded.length === 0 ? ['any'] : embedded.map(String)));
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(grammar);
  return found;
}

/** The name of the language a class names (`js` → `javascript`), registered; undefined when highlight.js has none. */
function languageNamed(className: string): string | undefined {
  const name = languageNames.get(className.toLowerCase());
  if (name) register(name);
  return name;
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
  const canonical = languageNamed(name);
  if (!canonical) return undefined;
  const html = hljs.highlight(text, { language: canonical, ignoreIllegals: true }).value;
  const classNames = [name, 'hljs'];
  if (!name.includes(canonical)) classNames.push(canonical);
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
