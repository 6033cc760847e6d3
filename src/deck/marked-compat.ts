// Make remark's CommonMark (+GFM) reading of a slide match what marked 0.3.1 — the engine remark.js 0.14.1 bundles,
// configured {gfm, tables, pedantic, smartLists, langPrefix: ''} — produces.
// Three parts: `prepareMarkdown` cuts the source into blocks with marked's own block lexer and writes them back so
// that CommonMark finds the same blocks; `adjustTree` fixes the mdast (before it becomes hast) where marked's
// output differs inside blocks; `restoreHtmlBlocks` puts marked's raw HTML blocks into the HTML. Each rule below
// was checked against marked 0.3.1 itself (and the conformance suite against remark.js in Chromium).
import type { Code, Heading, List, ListItem, Nodes, Parents, Root, Table, Text } from 'mdast';
import { elementAt } from '../errors.ts';

/** What `prepareMarkdown` hands to remark. */
export interface PreparedMarkdown {
  /** The source rewritten so that CommonMark finds marked's blocks. */
  readonly text: string;
  /** For each list item of `text`, in document order: whether marked makes it loose (its text in `<p>`). */
  readonly looseItems: readonly boolean[];
  /** marked's HTML blocks, which `text` holds as placeholders (see `restoreHtmlBlocks`). */
  readonly htmlBlocks: readonly string[];
}

/**
 * The source as marked 0.3.1 cuts it into blocks, written back so that CommonMark reads the same blocks.
 * marked's own preprocessing comes first (tabs → 4 spaces, NBSP → space, U+2424 → newline); its block lexer
 * (`lexBlocks`, a port of `Lexer.prototype.token`) then cuts the text, and `writeBlocks` writes each block out:
 * - lists exactly as marked delimits them (where a list ends, which lines belong to which item, the pedantic
 *   outdent of item text, smartLists), in a form CommonMark cannot read differently: one marker per list,
 *   alternating between adjacent lists so CommonMark does not merge them, item content indented to the marker;
 *   marked decides looseness item by item, which is returned for `adjustTree`;
 * - fenced code with exactly the text marked took between the fences (marked does not de-indent it);
 * - headings as ATX headings (`#Title`, setext `---` under `---`), everything else as written,
 *   with a blank line between blocks (marked ends blocks where CommonMark may go on) and the line fixes of
 *   `fixTextLines` in paragraphs.
 */
export function prepareMarkdown(markdown: string): PreparedMarkdown {
  const text = markdown
    .replace(/\r\n|\r/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/\u00a0/g, ' ')
    .replace(/\u2424/g, '\n');
  const output: WriteOutput = { looseItems: [], htmlBlocks: [] };
  return { text: writeBlocks(lexBlocks(text, true), output), ...output };
}

/** Private-use characters: markdown gives them no meaning, and decks do not contain them. */
const htmlPlaceholder = /<p>\uE002(\d+)\uE003<\/p>|\uE002(\d+)\uE003/g;

/**
 * Put marked's HTML blocks back into remark's HTML. marked passes them through untouched (pedantic: no markdown
 * inside, blank lines and all), which no CommonMark HTML block does; alone in its paragraph, the placeholder loses
 * the `<p>` CommonMark gave it.
 */
export function restoreHtmlBlocks(html: string, prepared: PreparedMarkdown): string {
  if (prepared.htmlBlocks.length === 0) return html;
  return html.replace(htmlPlaceholder, (whole, alone: string | undefined, inline: string | undefined) => prepared.htmlBlocks[Number(alone ?? inline)] ?? whole); // the deck's own text: as written
}

// ---------------------------------------------------------------------------------------------------------------
// marked 0.3.1's block lexer (options gfm, tables, pedantic, smartLists), keeping what the rewrite needs.

/** The tags marked 0.3.1 does not treat as block HTML (`block._tag`). */
const INLINE_TAGS = 'a|em|strong|small|s|cite|q|dfn|abbr|data|time|code|var|samp|kbd|sub|sup|i|b|u|mark|ruby|rt|rp|bdi|bdo|span|br|wbr|ins|del|img';
const BLOCK_TAG = String.raw`(?!(?:${INLINE_TAGS})\b)\w+(?!:\/|[^\w\s@]*@)\b`;
const FENCES = ' *(`{3,}|~{3,}) *(\\S+)? *\\n([\\s\\S]+?)\\s*\\1 *(?:\\n+|$)';
const LIST = String.raw`( *)((?:[*+-]|\d+\.)) [\s\S]+?(?:\n+(?=(?: *[-*_]){3,} *(?:\n+|$))|\n{2,}(?! )(?!\1(?:[*+-]|\d+\.) )\n*|\s*$)`;
const HR = String.raw`( *[-*_]){3,} *(?:\n+|$)`;
const HEADING = String.raw` *(#{1,6}) *([^\n]+?) *#* *(?:\n+|$)`;
const LHEADING = String.raw`([^\n]+)\n *(=|-){2,} *(?:\n+|$)`;
const BLOCKQUOTE = String.raw`( *>[^\n]+(\n[^\n]+)*\n*)+`;
const DEF = String.raw` *\[([^\]]+)\]: *<?([^\s>]+)>?(?: +["(]([^\n]+)[")])? *(?:\n+|$)`;

const rules = {
  newline: /^\n+/,
  code: /^( {4}[^\n]+\n*)+/,
  fences: new RegExp(`^${FENCES}`),
  heading: new RegExp(`^${HEADING}`),
  nptable: /^ *(\S.*\|.*)\n *([-:]+ *\|[-| :]*)\n((?:.*\|.*(?:\n|$))*)\n*/,
  lheading: new RegExp(`^${LHEADING}`),
  hr: new RegExp(`^${HR}`),
  blockquote: new RegExp(`^${BLOCKQUOTE}`),
  list: new RegExp(`^${LIST}`),
  html: new RegExp(String.raw`^ *(?:<!--[\s\S]*?-->|<(${BLOCK_TAG})[\s\S]+?<\/\1>|<${BLOCK_TAG}(?:"[^"]*"|'[^']*'|[^'">])*?>) *(?:\n{2,}|\s*$)`),
  def: new RegExp(`^${DEF}`),
  table: /^ *\|(.+)\n *\|( *[-:]+[-| :]*)\n((?: *\|.*(?:\n|$))*)\n*/,
  // A paragraph line stops before a line starting any other block. marked splices the fence and list rules in
  // with renumbered back-references; the list's `\1` becomes `\3`, the fence's (unset) language: kept as is.
  paragraph: new RegExp(
    String.raw`^((?:[^\n]+\n?(?!${FENCES.replace('\\1', '\\2')}|${LIST.replace('\\1', '\\3')}|${HR}|${HEADING}|` +
      String.raw`${LHEADING}|${BLOCKQUOTE}|<${BLOCK_TAG}|${DEF}))+)\n*`,
  ),
  text: /^[^\n]+/,
  bullet: /(?:[*+-]|\d+\.)/,
  item: /^( *)((?:[*+-]|\d+\.)) [^\n]*(?:\n(?!\1(?:[*+-]|\d+\.) )[^\n]*)*/gm,
};

interface ListItemBlock {
  readonly loose: boolean;
  readonly blocks: Block[];
}

type Block =
  | { readonly type: 'space' }
  /** Indented code, as written: marked (pedantic) keeps the blank lines after it as code lines. */
  | { readonly type: 'code'; readonly raw: string }
  | { readonly type: 'fence'; readonly marker: string; readonly lang: string | undefined; readonly text: string }
  | { readonly type: 'heading'; readonly depth: number; readonly text: string }
  | { readonly type: 'blockquote'; readonly blocks: Block[] }
  | { readonly type: 'list'; readonly ordered: boolean; readonly items: ListItemBlock[] }
  /** A top-level paragraph. */
  | { readonly type: 'paragraph'; readonly raw: string }
  /** One line of text in a list item (marked makes no paragraphs there; consecutive lines are joined). */
  | { readonly type: 'text'; readonly text: string }
  /** An HTML block: passed through untouched. */
  | { readonly type: 'html'; readonly raw: string }
  /** Written as it is: hr, tables, definitions. */
  | { readonly type: 'verbatim'; readonly raw: string };

/** `Lexer.prototype.token`: the same rules tried in the same order, so every block ends where marked ends it. */
function lexBlocks(source: string, top: boolean): Block[] {
  let src = source.replace(/^ +$/gm, '');
  const blocks: Block[] = [];
  let cap: RegExpExecArray | null;
  const take = (match: RegExpExecArray) => {
    src = src.substring(match[0].length);
    return match;
  };
  while (src) {
    if ((cap = rules.newline.exec(src))) {
      take(cap);
      if (cap[0].length > 1) blocks.push({ type: 'space' });
    }
    if ((cap = rules.code.exec(src))) {
      blocks.push({ type: 'code', raw: take(cap)[0] });
    } else if ((cap = rules.fences.exec(src))) {
      take(cap);
      blocks.push({ type: 'fence', marker: elementAt(cap, 1), lang: cap[2], text: elementAt(cap, 3) });
    } else if ((cap = rules.heading.exec(src))) {
      take(cap);
      blocks.push({ type: 'heading', depth: elementAt(cap, 1).length, text: elementAt(cap, 2) });
    } else if (top && (cap = rules.nptable.exec(src))) {
      blocks.push({ type: 'verbatim', raw: take(cap)[0] });
    } else if ((cap = rules.lheading.exec(src))) {
      take(cap);
      blocks.push({ type: 'heading', depth: cap[2] === '=' ? 1 : 2, text: elementAt(cap, 1) });
    } else if ((cap = rules.hr.exec(src))) {
      blocks.push({ type: 'verbatim', raw: take(cap)[0] });
    } else if ((cap = rules.blockquote.exec(src))) {
      take(cap);
      blocks.push({ type: 'blockquote', blocks: lexBlocks(cap[0].replace(/^ *> ?/gm, ''), top) });
    } else if ((cap = rules.list.exec(src))) {
      take(cap);
      const { list, rest } = lexList(cap[0], elementAt(cap, 2));
      blocks.push(list);
      src = rest + src;
    } else if ((cap = rules.html.exec(src))) {
      blocks.push({ type: 'html', raw: take(cap)[0] });
    } else if (top && (cap = rules.def.exec(src))) {
      blocks.push({ type: 'verbatim', raw: take(cap)[0] });
    } else if (top && (cap = rules.table.exec(src))) {
      blocks.push({ type: 'verbatim', raw: take(cap)[0] });
    } else if (top && (cap = rules.paragraph.exec(src))) {
      blocks.push({ type: 'paragraph', raw: elementAt(take(cap), 1) });
    } else if ((cap = rules.text.exec(src))) {
      blocks.push({ type: 'text', text: take(cap)[0] });
    }
  }
  return blocks;
}

/**
 * marked's list branch: the items of a matched list, each outdented and lexed on its own. With smartLists, an item
 * whose bullet differs (`*` after `-`, not `2.` after `1.`) ends the list: it and the items after it go back to the
 * source (`rest`) to be lexed again.
 */
function lexList(text: string, bullet: string): { list: Block; rest: string } {
  const found = text.match(rules.item) ?? [];
  const items: ListItemBlock[] = [];
  let rest = '';
  let next = false;
  let last = found.length - 1;
  for (let i = 0; i <= last; i++) {
    let item = elementAt(found, i).replace(/^ *([*+-]|\d+\.) +/, '');
    // Pedantic outdent: up to 4 spaces off every line, whatever the bullet's width (so code in a fence loses them).
    if (item.includes('\n ')) item = item.replace(/^ {1,4}/gm, '');
    if (i !== last) {
      // biome-ignore lint/style/noNonNullAssertion: every item starts with a bullet (rules.item)
      const following = rules.bullet.exec(elementAt(found, i + 1))![0];
      if (bullet !== following && !(bullet.length > 1 && following.length > 1)) {
        rest = found.slice(i + 1).join('\n');
        last = i;
      }
    }
    let loose = next || /\n\n(?!\s*$)/.test(item);
    if (i !== last) {
      next = item.endsWith('\n');
      if (!loose) loose = next;
    }
    items.push({ loose, blocks: lexBlocks(item, false) });
  }
  return { list: { type: 'list', ordered: bullet.length > 1, items }, rest };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing marked's blocks back as markdown for CommonMark.

/**
 * Ends a list where CommonMark would otherwise take the next block, indented code after two blank lines, into the
 * last item; `adjustTree` removes it.
 */
const LIST_END = '<!-- labdeck: end of list -->';

/** What the writer collects besides the text (see `PreparedMarkdown`). */
interface WriteOutput {
  readonly looseItems: boolean[];
  readonly htmlBlocks: string[];
}

function writeBlocks(blocks: readonly Block[], output: WriteOutput): string {
  let out = '';
  let previous: Block | undefined;
  /** The marker variant of the previous list in this container, while no other block came in between. */
  let previousList: { ordered: boolean; variant: number } | undefined;
  for (const block of blocks) {
    if (block.type === 'space') {
      if (previous) previous = block;
      continue;
    }
    let written: string;
    if (block.type === 'list') {
      const variant = previousList?.ordered === block.ordered ? 1 - previousList.variant : 0;
      written = writeList(block, variant, output);
      previousList = { ordered: block.ordered, variant };
    } else {
      written = writeBlock(block, output);
      previousList = undefined;
    }
    if (previous?.type === 'code') {
      // Written code ends its own line (see writeBlock).
    } else if (previous?.type === 'text' && block.type === 'text') {
      out += '\n';
    } else if (previous) {
      out += previous.type === 'list' && written.startsWith(' ') ? `\n\n${LIST_END}\n\n` : '\n\n';
    }
    out += written;
    previous = block;
  }
  return out;
}

function writeBlock(block: Exclude<Block, { type: 'space' | 'list' }>, output: WriteOutput): string {
  switch (block.type) {
    case 'code':
      // Pedantic marked keeps the newlines after indented code as code lines; CommonMark ends the code at its last
      // line. `adjustCode` puts them back, counting all but one of the line ends after it: hence one more here, so
      // that what follows the code (the next block, the next list item) never adds to the count.
      return `${block.raw}\n`;
    case 'fence':
      return writeFence(block.marker, block.lang, block.text);
    case 'heading':
      // ATX whatever marked read (`#Title`, a setext `---` under `---`); a closing `#` keeps a trailing one.
      return `${'#'.repeat(block.depth)} ${block.text}${block.text.endsWith('#') ? ' #' : ''}`;
    case 'blockquote':
      return writeBlocks(block.blocks, output)
        .split('\n')
        .map((line) => (line ? `> ${line}` : '>'))
        .join('\n');
    case 'paragraph':
      return keepTagLineInParagraph(fixTextLines(block.raw.replace(/\n+$/, '')));
    case 'text':
      return keepTagLineInParagraph(fixTextLines(block.text));
    case 'html':
      // remark-html ends every block with a newline; marked's raw HTML already has its own.
      output.htmlBlocks.push(block.raw.replace(/\n$/, ''));
      return `\uE002${output.htmlBlocks.length - 1}\uE003`;
    case 'verbatim':
      return block.raw.replace(/\n+$/, '');
  }
}

/**
 * A fence CommonMark closes where marked did: longer than any run of its character in the code.
 * marked's fence rule backtracks: a fence opened with ```` ````bash ```` that only a ```` ``` ```` closes is a
 * three-backtick fence whose language is `` `bash ``. CommonMark allows no backtick in the info string of a backtick
 * fence, and would take a leading fence character into the fence itself: such a language gets a tilde fence, and a
 * space before it when it starts with the fence's character.
 */
function writeFence(marker: string, lang: string | undefined, text: string): string {
  const info = lang ?? '';
  const character = info.includes('`') ? '~' : elementAt(marker, 0);
  let length = marker.length;
  for (const line of text.split('\n')) {
    const run = /^ *(`+|~+)/.exec(line)?.[1];
    if (run?.[0] === character) length = Math.max(length, run.length + 1);
  }
  const fence = character.repeat(length);
  return `${fence}${info.startsWith(character) ? ' ' : ''}${info}\n${text}\n${fence}`;
}

function writeList(list: Extract<Block, { type: 'list' }>, variant: number, output: WriteOutput): string {
  const marker = elementAt(list.ordered ? ['1.', '1)'] : ['-', '*'], variant);
  const indent = ' '.repeat(marker.length + 1);
  let out = '';
  for (const item of list.items) {
    output.looseItems.push(item.loose);
    const body = writeBlocks(item.blocks, output)
      .split('\n')
      .map((line, index) => (index === 0 ? (line ? `${marker} ${line}` : marker) : line ? indent + line : ''))
      .join('\n');
    if (out !== '' && !out.endsWith('\n')) out += '\n';
    out += body;
  }
  return out;
}

/** A line `fixTextLines` may change (most paragraphs have none: skip the per-line work). */
const mayNeedTextFix = /^ *(?:\d+[).]|[*+=#-]$|`{3}|~{3}|<!--)/m;

/**
 * Lines of a paragraph (or of a list item's text) that CommonMark would read as something marked does not:
 * - `1)` starts a list in CommonMark only;
 * - a bullet or `#` alone on its line is an empty item / heading in CommonMark, and a one-character setext
 *   underline makes a heading there (marked needs two);
 * - a fence that marked found no end for is text in marked, but runs to the end in CommonMark;
 * - `<!--` without a `-->` after it is text in marked, an HTML block running to the end in CommonMark.
 */
function fixTextLines(text: string): string {
  if (!mayNeedTextFix.test(text)) return text;
  const lines = text.split('\n');
  return lines
    .map((line, index) =>
      line
        .replace(/^( {0,3})(\d+)\)(?= |$)/, '$1$2\\)')
        .replace(/^( *)([*+=#-]|\d+\.)$/, (_, spaces: string, mark: string) => `${spaces}${mark.replace(/[*+=#.-]/, '\\$&')}`)
        .replace(/^( *)(`{3,}|~{3,})/, '$1\\$2')
        .replace(/^( {0,3})<!--/, (match, spaces: string) => (lines.slice(index).join('\n').includes('-->') ? match : `${spaces}\\<!--`)),
    )
    .join('\n');
}

/**
 * Starts a paragraph whose first line is a tag alone (CommonMark's HTML block start condition 7, e.g. `<br/>` or
 * `<img src="a.png">`): marked reads such a line as the start of a paragraph, with markdown working on the lines after
 * it; CommonMark starts an HTML block there, which runs to the next blank line with no markdown inside.
 */
const tagAloneOnLine =
  /^( {0,3})(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*(?:\n|$)/;

/**
 * Such a line, with an invisible mark before the tag: a line that does not start with a tag starts a paragraph, as
 * in marked; `walk` removes the mark from the text.
 */
function keepTagLineInParagraph(text: string): string {
  return tagAloneOnLine.test(text) ? text.replace(/^ */, (spaces) => `${spaces}${PARAGRAPH_MARK}`) : text;
}

/** A private-use character (see `htmlPlaceholder`): only `keepTagLineInParagraph` writes it. */
const PARAGRAPH_MARK = '\uE004';

/** marked's heading id: the heading's raw markdown, lower-cased, runs of non-word characters → `-`. */
export function headingId(raw: string): string {
  return raw.toLowerCase().replace(/[^\w]+/g, '-');
}

/**
 * Adjust the mdast of `source` (`PreparedMarkdown.text`, possibly after link definitions) to marked's output;
 * `looseItems` comes with it.
 */
export function adjustTree(tree: Root, source: string, looseItems: readonly boolean[]): void {
  setLooseness(tree, looseItems);
  walk(tree, source);
}

/**
 * marked decides `<p>` in `<li>` item by item; CommonMark for the whole list. `prepareMarkdown` wrote every list
 * item marked found, in order, so the n-th item here is marked's n-th; the `listItem` handler in render.ts reads
 * the per-item `spread`.
 */
function setLooseness(tree: Root, looseItems: readonly boolean[]): void {
  let index = 0;
  const visit = (parent: Parents): void => {
    for (const node of parent.children as Nodes[]) {
      if (node.type === 'list') node.spread = false;
      if (node.type === 'listItem') node.spread = looseItems[index++] ?? false;
      if ('children' in node) visit(node);
    }
  };
  visit(tree);
}

function walk(parent: Parents, source: string): void {
  const children = parent.children as Nodes[];
  for (let i = 0; i < children.length; i++) {
    const node = elementAt(children, i);
    switch (node.type) {
      case 'heading':
        setHeadingId(node, source);
        break;
      case 'code':
        adjustCode(node, source);
        break;
      case 'list':
        adjustList(node);
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
        if (node.value === LIST_END) {
          children.splice(i--, 1);
          continue;
        }
        // CommonMark makes an HTML block of any tag alone on its line; marked only of block-level tags, so an
        // `<img>` or `<br/>` line is a paragraph there.
        if (isFlowContainer(parent) && inlineTagStart.test(node.value)) {
          children[i] = { type: 'paragraph', children: [node] };
          continue;
        }
        break;
      case 'text':
        if (node.value.includes(PARAGRAPH_MARK)) {
          node.value = node.value.replaceAll(PARAGRAPH_MARK, '');
          if (node.value === '') {
            children.splice(i--, 1);
            continue;
          }
        }
        break;
      case 'footnoteReference':
        // marked has no footnotes: `[^1]` is text.
        children[i] = { type: 'text', value: `[^${node.label ?? node.identifier}]` };
        continue;
      default:
        break;
    }
    if ('children' in node) walk(node, source);
  }
  // Also in the text of a link: marked 0.3.1 links a bare URL there too, and the browser, reading the nested `<a>`,
  // closes the outer link before it (`[KEDA (https://keda.sh/)](https://keda.sh)` shows two links), as remark.js shows.
  linkBareUrls(parent);
}

const inlineTagStart = new RegExp(String.raw`^ *<(?:${INLINE_TAGS})\b`, 'i');

function isFlowContainer(parent: Parents): boolean {
  return parent.type === 'root' || parent.type === 'listItem' || parent.type === 'blockquote';
}

function slice(node: Nodes, source: string): string | undefined {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? undefined : source.slice(start, end);
}

function setHeadingId(node: Heading, source: string): void {
  const text = slice(node, source);
  // prepareMarkdown writes every heading as ATX, with marked's heading text.
  const raw = text === undefined ? undefined : /^ *#{1,6} *([^\n]+?) *#* *$/.exec(text)?.[1];
  if (raw === undefined) return;
  node.data = { ...node.data, hProperties: { ...node.data?.hProperties, id: headingId(raw) } };
}

function adjustCode(node: Code, source: string): void {
  const text = slice(node, source);
  if (text !== undefined && /^ *(`{3}|~{3})/.test(text)) {
    // marked's fence ends at `\s*` + the closing fence: trailing blank lines and spaces are not code.
    node.value = node.value.replace(/\s+$/, '');
  } else if (node.position?.end.offset !== undefined) {
    // Indented code: the newlines marked keeps after it (→ empty code lines on the slide), see `writeBlock`.
    const after = /^(?:[ ]*\n)*/.exec(source.slice(node.position.end.offset))?.[0] ?? ''; // matches, if only ''
    node.value += '\n'.repeat(Math.max(0, after.split('\n').length - 2));
  }
  // langPrefix '' : `<code class="bash">`, not `language-bash`.
  if (node.lang) node.data = { ...node.data, hProperties: { className: [node.lang] } };
}

/** marked writes no `start` attribute, and knows no task lists. */
function adjustList(node: List): void {
  node.start = null;
  for (const item of node.children) untick(item);
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
