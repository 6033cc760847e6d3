// mermaid diagrams in a deck: `<pre class="mermaid">` blocks, as container.training's chapters write them. The slide
// HTML keeps them as they are (the sanitizer keeps `pre` and its class); the page draws them (src/client/diagrams.ts)
// and `labdeck lint` checks their syntax with mermaid's own parser (src/workshop/diagram-syntax.ts) from the text
// found here. Pure: no I/O.
import { decodeHTML } from 'entities';

/** A diagram's text as mermaid reads it on the page, and the line (of the text searched) where that text starts. */
export interface DiagramSource {
  /** 1-based line of the first line of `text`: mermaid's "line 1". */
  readonly line: number;
  readonly text: string;
  /**
   * A slide separator (`---`, `--`) or notes separator (`???`) line before `</pre>`, where remark.js ends the slide,
   * and so the diagram, since it looks for them everywhere but in code fences: the line and the separator.
   */
  readonly cut?: { readonly line: number; readonly separator: string };
}

/** A `<pre>` whose class list has `mermaid`, in slide HTML as the renderer writes it (attributes double-quoted). */
const diagramInHtml = /<pre\b[^>]*\sclass="(?:[^"]*\s)?mermaid(?:\s[^"]*)?"/;

/** Whether rendered slide HTML holds a diagram: the page needs mermaid only then. */
export function containsDiagram(html: string): boolean {
  return diagramInHtml.test(html);
}

/** An opening `<pre ...>` tag with `mermaid` among its classes, in markdown as written (either quote). */
const openingTag = /<pre\b[^>]*?\sclass\s*=\s*(["'])(?:(?!\1).)*?\bmermaid\b(?:(?!\1).)*\1[^>]*>/i;
const fence = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Every diagram of `markdown`, in order: its text as mermaid gets it on the page and where it starts. Blocks shown
 * as code (inside a fence) or hidden in an HTML comment are examples, not diagrams. The page's HTML parser decodes
 * character references, and mermaid reads the block's HTML, decodes its references again, removes the common
 * indentation and trims: the same is done here, so that mermaid's line numbers count from the line returned.
 */
export function findDiagrams(markdown: string): DiagramSource[] {
  const lines = markdown.split('\n');
  const diagrams: DiagramSource[] = [];
  let openFence: string | undefined;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    const fenceMark = fence.exec(line)?.[1];
    if (openFence !== undefined) {
      if (fenceMark?.startsWith(openFence)) openFence = undefined;
      continue;
    }
    if (fenceMark !== undefined && !inComment) {
      openFence = fenceMark;
      continue;
    }
    // Comments opened and closed on this line are removed; one left open hides what follows, up to its `-->`.
    if (inComment) {
      const end = line.indexOf('-->');
      if (end < 0) continue;
      inComment = false;
      line = line.slice(end + 3);
    }
    line = line.replace(/<!--[\s\S]*?-->/g, '');
    const commentStart = line.indexOf('<!--');
    if (commentStart >= 0) {
      inComment = true;
      line = line.slice(0, commentStart);
    }
    const tag = openingTag.exec(line);
    if (!tag) continue;
    const found = diagramAt(lines, i, line.slice(tag.index + tag[0].length));
    diagrams.push(found.diagram);
    i = found.lastLine;
  }
  return diagrams;
}

/** The diagram whose text starts with `rest` (what follows its opening tag on line `index`), up to `</pre>`. */
function diagramAt(lines: readonly string[], index: number, rest: string): { diagram: DiagramSource; lastLine: number } {
  const body: string[] = [];
  let last = index;
  let text = rest;
  let cut: DiagramSource['cut'];
  for (;;) {
    const end = text.search(/<\/pre\s*>/i);
    if (end >= 0) {
      body.push(text.slice(0, end));
      break;
    }
    body.push(text);
    const next = lines[last + 1];
    if (next === undefined) break; // never closed: the browser ends the block with the slide
    if (separator.test(next)) {
      cut = { line: last + 2, separator: next };
      break;
    }
    last += 1;
    text = next;
  }
  const decoded = body.map((line) => decodeHTML(line));
  const first = decoded.findIndex((line) => line.trim() !== '');
  const content = first < 0 ? [] : decoded.slice(first);
  const diagram = { line: index + 1 + Math.max(first, 0), text: dedent(content).join('\n').trim() };
  return { diagram: cut ? { ...diagram, cut } : diagram, lastLine: last };
}

/** remark.js's slide and notes separators (split.ts SEPARATOR, NOTES_SEPARATOR): the whole line. */
const separator = /^(?:---?|\?{3})$/;

/** Lines without the indentation they all share (blank lines aside), as mermaid does before parsing. */
function dedent(lines: readonly string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(common, /^[ \t]*/.exec(line)?.[0].length ?? 0)));
}
