// Make remark's CommonMark (+GFM) reading of a slide match what marked 0.3.1 — the engine remark.js 0.14.1 bundles,
// configured {gfm, tables, pedantic, smartLists, langPrefix: ''} — produces for real decks.
// Two halves: `prepareMarkdown` rewrites the source where marked's grammar differs at the line level, and
// `adjustTree` fixes the mdast (before it becomes hast) using the prepared source for what only the raw text knows.
// Each rule below was checked against marked 0.3.1 itself.
import type { Code, Heading, List, ListItem, Nodes, Parents, Root, Table, Text } from 'mdast';

/**
 * marked's own preprocessing (tabs → 4 spaces, NBSP → space, blank-with-spaces lines emptied), then line-level
 * grammar differences, outside fenced code:
 * - `#Title` (no space) is a heading in marked 0.3.1, a paragraph in CommonMark;
 * - `1)` does not start a list in marked (only `1.`), it does in CommonMark; nor does a bullet alone on its line
 *   (an empty item in CommonMark), and setext underlines need two characters;
 * - a top-level list goes on, in marked, until a blank line is followed by a line that is neither indented nor a
 *   bullet, and every line in between belongs to the current item: lines CommonMark would leave out (indented
 *   less than the item's text) are indented to the item's text column;
 * - fenced code content is not de-indented by marked, so lines indented less than the fence (code pasted at
 *   column 0 inside a list item's fence) are padded to the fence's indentation, which CommonMark then removes.
 */
export function prepareMarkdown(markdown: string): string {
  const text = markdown
    .replace(/\r\n|\r/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/\u00a0/g, ' ')
    .replace(/\u2424/g, '\n')
    .replace(/^ +$/gm, '');
  const lines = text.split('\n');
  let fence: { marker: string; indent: number } | undefined;
  /** Text column of the current top-level list item; undefined outside a list. */
  let itemColumn: number | undefined;
  let previousBlank = true;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const blank = line === '';
    const indent = line.length - line.trimStart().length;
    if (fence !== undefined) {
      const close = /^ *(`{3,}|~{3,}) *$/.exec(line);
      if (close && close[1]![0] === fence.marker[0] && close[1]!.length >= fence.marker.length) fence = undefined;
      else if (!blank && indent < fence.indent) lines[i] = ' '.repeat(fence.indent - indent) + line;
      previousBlank = blank;
      continue;
    }
    if (blank) {
      previousBlank = true;
      continue;
    }
    const bullet = /^((?:[*+-]|\d+\.) +)\S/.exec(line);
    if (bullet) itemColumn = bullet[1]!.length;
    else if (itemColumn !== undefined && indent === 0 && previousBlank) itemColumn = undefined;
    else if (itemColumn !== undefined && indent < itemColumn && !/^ *(?:[-*_] *){3,}$/.test(line)) {
      line = ' '.repeat(itemColumn - indent) + line;
    } else if (itemColumn !== undefined && /^(?: *[-*_]){3,} *$/.test(line)) itemColumn = undefined;
    const fenceMatch = /^( *)(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) fence = { marker: fenceMatch[2]!, indent: fenceMatch[1]!.length };
    else {
      line = line
        .replace(/^( *(?:(?:[*+-]|\d+\.) +)?)(#{1,6})(?=[^#\s])/, (match, before: string, hashes: string) =>
          before.length - (itemColumn ?? 0) < 4 ? `${before}${hashes} ` : match)
        .replace(/^( {0,3})(\d+)\)(?= |$)/, '$1$2\\)')
        // A bullet with nothing after it, or a one-character setext underline, is text in marked.
        .replace(/^( *)([*+=-]|\d+\.)$/, (_, spaces: string, mark: string) => `${spaces}${mark.replace(/[*+=.-]/, '\\$&')}`);
    }
    lines[i] = line;
    previousBlank = false;
  }
  return lines.join('\n');
}

/** marked's heading id: the heading's raw markdown, lower-cased, runs of non-word characters → `-`. */
export function headingId(raw: string): string {
  return raw.toLowerCase().replace(/[^\w]+/g, '-');
}

/** Adjust the mdast of `source` (the output of prepareMarkdown) to marked's output. `expandRaw` turns placeholders
 *  in heading text back into the HTML marked would have seen there. */
export function adjustTree(tree: Root, source: string, expandRaw: (raw: string) => string): void {
  walk(tree, source, expandRaw);
}

function walk(parent: Parents, source: string, expandRaw: (raw: string) => string): void {
  const children = parent.children as Nodes[];
  for (let i = 0; i < children.length; i++) {
    const node = children[i]!;
    switch (node.type) {
      case 'heading':
        setHeadingId(node, source, expandRaw);
        break;
      case 'code':
        adjustCode(node, source);
        break;
      case 'list':
        adjustList(node, source);
        break;
      case 'table':
        alignCells(node);
        break;
      case 'link': {
        const text = literalAutolinkText(node, source);
        if (text !== undefined) {
          children[i] = { type: 'text', value: text };
          continue;
        }
        break;
      }
      case 'html':
        // CommonMark makes an HTML block of any tag alone on its line; marked only of block-level tags, so an
        // `<img>` or `<br/>` line is a paragraph there.
        if (isFlowContainer(parent) && inlineTagStart.test(node.value)) {
          children[i] = { type: 'paragraph', children: [node] };
          continue;
        }
        break;
      case 'footnoteReference':
        // marked has no footnotes: `[^1]` is text.
        children[i] = { type: 'text', value: `[^${node.label ?? node.identifier}]` };
        continue;
      default:
        break;
    }
    if ('children' in node) walk(node, source, expandRaw);
  }
  if (parent.type !== 'link' && parent.type !== 'linkReference') linkBareUrls(parent);
}

/** The tags marked 0.3.1 does not treat as block HTML (`block._tag`). */
const inlineTagStart =
  /^ *<(?:a|em|strong|small|s|cite|q|dfn|abbr|data|time|code|var|samp|kbd|sub|sup|i|b|u|mark|ruby|rt|rp|bdi|bdo|span|br|wbr|ins|del|img)\b/i;

function isFlowContainer(parent: Parents): boolean {
  return parent.type === 'root' || parent.type === 'listItem' || parent.type === 'blockquote';
}

function slice(node: Nodes, source: string): string | undefined {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? undefined : source.slice(start, end);
}

function setHeadingId(node: Heading, source: string, expandRaw: (raw: string) => string): void {
  const text = slice(node, source);
  if (text === undefined) return;
  const atx = /^ *(#{1,6}) *([^\n]+?) *#* *(?:\n+|$)/.exec(text);
  // Setext: marked's lheading takes only the one line above the underline.
  const lines = text.split('\n');
  const raw = atx ? atx[2]! : (lines.length > 1 ? lines[lines.length - 2]! : text);
  // marked's closing sequence needs no space before it: `# Bar#` is "Bar".
  const last = node.children[node.children.length - 1];
  if (atx && last?.type === 'text' && !raw.endsWith('#')) last.value = last.value.replace(/ *#+ *$/, '');
  node.data = { ...node.data, hProperties: { ...node.data?.hProperties, id: headingId(expandRaw(raw)) } };
}

function adjustCode(node: Code, source: string): void {
  const text = slice(node, source);
  if (text !== undefined && /^ *(`{3}|~{3})/.test(text)) {
    // marked's fence ends at `\s*` + the closing fence: trailing blank lines and spaces are not code.
    node.value = node.value.replace(/\s+$/, '');
  } else if (node.position?.end.offset !== undefined) {
    // Indented code: pedantic marked keeps the newlines that follow it (→ empty code lines on the slide).
    const after = /^(?:[ ]*\n)*/.exec(source.slice(node.position.end.offset))![0];
    node.value += '\n'.repeat(after.split('\n').length - 1);
  }
  // langPrefix '' : `<code class="bash">`, not `language-bash`.
  if (node.lang) node.data = { ...node.data, hProperties: { className: [node.lang] } };
}

/**
 * marked decides `<p>` in `<li>` item by item: an item is loose when a blank line precedes or follows it (within the
 * list) or it holds a blank line before more content. CommonMark decides for the whole list; the `listItem`
 * handler in render.ts reads the per-item `spread` set here. marked also writes no `start` attribute.
 */
function adjustList(node: List, source: string): void {
  node.start = null;
  const items = node.children;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    untick(item);
    const text = slice(item, source) ?? '';
    const blankBefore = i > 0 && blankBetween(items[i - 1]!, item, source);
    const blankAfter = i < items.length - 1 && blankBetween(item, items[i + 1]!, source);
    item.spread = blankBefore || blankAfter || /\n\n(?!\s*$)/.test(text);
  }
  node.spread = false;
}

function blankBetween(a: ListItem, b: ListItem, source: string): boolean {
  const end = a.position?.end.offset;
  const start = b.position?.start.offset;
  return end !== undefined && start !== undefined && /\n *\n/.test(source.slice(end, start));
}

/** Task-list items are GitHub's, not marked's: put the `[ ]` / `[x]` back as text. */
function untick(item: ListItem): void {
  if (typeof item.checked !== 'boolean') return;
  const marker: Text = { type: 'text', value: item.checked ? '[x] ' : '[ ] ' };
  item.checked = null;
  const first = item.children[0];
  if (first?.type === 'paragraph') first.children.unshift(marker);
  else item.children.unshift({ type: 'paragraph', children: [marker] });
}

/** marked writes `style="text-align:center"` on cells, not `align="center"`. */
function alignCells(table: Table): void {
  const align = table.align ?? [];
  table.align = null;
  for (const row of table.children) {
    row.children.forEach((cell, index) => {
      const value = align[index];
      if (value) cell.data = { ...cell.data, hProperties: { style: `text-align:${value}` } };
    });
  }
}

/** A link GFM made from bare text (not `[..](..)` nor `<..>`): undefined for other links, else its source text. */
function literalAutolinkText(node: Nodes, source: string): string | undefined {
  const text = slice(node, source);
  if (text === undefined || text.startsWith('[') || text.startsWith('<')) return undefined;
  return text;
}

/** marked 0.3.1's bare-URL rule (GFM's is stricter about domains and also links `www.` and e-mail addresses). */
const markedUrl = /https?:\/\/[^\s<]+[^<.,:;"')\]\s]/g;

/** GFM's literal autolinks were turned back into text by `walk`; link bare URLs as marked does instead. */
function linkBareUrls(parent: Parents): void {
  const children = parent.children as Nodes[];
  if (!children.some((child) => child.type === 'text' && child.value.includes('http'))) return;
  const result: Nodes[] = [];
  for (const child of children) {
    const last = result[result.length - 1];
    if (child.type === 'text' && last?.type === 'text') last.value += child.value;
    else result.push(child.type === 'text' ? { type: 'text', value: child.value } : child);
  }
  const linked: Nodes[] = [];
  for (const child of result) {
    if (child.type !== 'text') {
      linked.push(child);
      continue;
    }
    let index = 0;
    for (const match of child.value.matchAll(markedUrl)) {
      if (match.index > index) linked.push({ type: 'text', value: child.value.slice(index, match.index) });
      linked.push({ type: 'link', url: match[0], children: [{ type: 'text', value: match[0] }] });
      index = match.index + match[0].length;
    }
    if (index < child.value.length) linked.push({ type: 'text', value: child.value.slice(index) });
  }
  (parent as { children: Nodes[] }).children = linked;
}
