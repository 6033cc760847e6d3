// CSS split into its top-level statements (style rules and at-rules, their blocks kept as text), enough for
// deck-style.ts to rewrite a deck's stylesheet: strings, comments, parentheses and nested braces are respected, values
// are not parsed. Each statement knows its line, for notices at `file:line`.

export type CssStatement =
  | { readonly kind: 'rule'; readonly selector: string; readonly block: string; readonly line: number }
  /** `block` is null for a statement ending in `;` (`@import …;`). */
  | { readonly kind: 'at'; readonly name: string; readonly prelude: string; readonly block: string | null; readonly line: number };

/** `firstLine`: the line `css` starts on in its file (a nested block's text starts inside its parent's). */
export function parseCssStatements(css: string, firstLine = 1): CssStatement[] {
  const text = withoutComments(css);
  const statements: CssStatement[] = [];
  let line = firstLine;
  let i = 0;
  while (i < text.length) {
    const start = skipSpace(text, i);
    line += countNewlines(text, i, start);
    if (start >= text.length) break;
    const end = preludeEnd(text, start);
    const prelude = text.slice(start, end).trim();
    const statementLine = line;
    if (end >= text.length || text[end] === ';') {
      if (prelude.startsWith('@')) statements.push({ kind: 'at', ...atName(prelude), block: null, line: statementLine });
      line += countNewlines(text, start, end + 1);
      i = end + 1;
      continue;
    }
    const close = matchingBrace(text, end);
    const block = text.slice(end + 1, close);
    // The block's first line: where its `{` stands.
    const blockLine = statementLine + countNewlines(text, start, end + 1);
    if (prelude.startsWith('@')) statements.push({ kind: 'at', ...atName(prelude), block, line: statementLine });
    else statements.push({ kind: 'rule', selector: prelude, block, line: statementLine });
    line = blockLine + countNewlines(text, end + 1, close + 1);
    i = close + 1;
  }
  return statements;
}

/** Splits on `separator` where it stands outside strings, parentheses and brackets (selector lists, font lists). */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = stringEnd(text, i);
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** The index of the quote that closes the string opening at `open` (or the end of the text). */
export function stringEnd(text: string, open: number): number {
  const quote = text[open];
  let i = open + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return i;
}

function atName(prelude: string): { name: string; prelude: string } {
  const match = /^@([-\w]+)\s*([\s\S]*)$/.exec(prelude);
  return { name: (match?.[1] ?? '').toLowerCase(), prelude: (match?.[2] ?? '').trim() };
}

/** Comments become spaces (newlines kept, so lines still count), outside strings only. */
function withoutComments(css: string): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const c = css[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(css, i);
      out += css.slice(i, end + 1);
      i = end + 1;
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      const comment = css.slice(i, end === -1 ? css.length : end + 2);
      out += comment.replace(/[^\n]/g, ' ');
      i += comment.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to && i < text.length; i++) if (text[i] === '\n') count++;
  return count;
}

/** Where a statement's prelude ends: its `{` or `;` outside strings and parentheses (or the end of the text). */
function preludeEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = stringEnd(text, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === '{' || c === ';') && depth <= 0) return i;
  }
  return text.length;
}

/** The `}` that closes the `{` at `open` (or the end of the text, as browsers close an unfinished block). */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = stringEnd(text, i);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return text.length;
}
