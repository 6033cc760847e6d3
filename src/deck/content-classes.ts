// Content classes `.a.b[ ... ]` → `<div class="a b">` / `<span class="a b">`, the way remark.js's converter does it:
// the inner content is converted to HTML first, then that HTML is put into the parent's markdown.
//
// remark.js splices every class's HTML straight into the markdown string and lets marked sort it out. For inline
// (span) classes we do the same: CommonMark treats them as inline HTML, as marked does. Block (div) classes instead
// become a placeholder token that is replaced after the parent's markdown is converted: CommonMark ends an HTML
// block at the first blank line, which would cut a `<div>` holding a `<pre>` with blank lines in two, while marked
// (pedantic) passes the whole `<div>…</div>` through. A placeholder alone in its paragraph is exactly marked's
// "HTML block" case, so its `<p>` wrapper is dropped; anywhere else it is inline HTML in marked too.
import type { ContentClass, ContentNode } from './types.ts';

/** Private-use characters: markdown gives them no meaning, and decks do not contain them. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const placeholderPattern = /\uE000(\d+)\uE001/g;
const paragraphPlaceholderPattern = /<p>\uE000(\d+)\uE001<\/p>/g;

export interface AssembledMarkdown {
  /** The chunk's markdown with inline classes as HTML and block classes as placeholders. */
  readonly markdown: string;
  /** HTML of the block classes, by placeholder index. */
  readonly blocks: readonly string[];
}

/** The element remark.js wraps a class's converted content in. */
export function contentClassHtml(node: ContentClass, innerHtml: string): string {
  const tag = node.block ? 'div' : 'span';
  return `<${tag} class="${node.classes.join(' ')}">${innerHtml}</${tag}>`;
}

/**
 * Concatenate a content list into one markdown string, converting each class's inner content with `convertInner`
 * (called with `inline` = the class is a span, as remark.js passes `!block`).
 */
export function assembleMarkdown(
  content: readonly ContentNode[],
  convertInner: (content: ContentNode[], inline: boolean) => string,
): AssembledMarkdown {
  let markdown = '';
  const blocks: string[] = [];
  for (const node of content) {
    if (typeof node === 'string') {
      markdown += node;
      continue;
    }
    const html = contentClassHtml(node, convertInner(node.content, !node.block));
    if (node.block) {
      markdown += OPEN + String(blocks.length) + CLOSE;
      blocks.push(html);
    } else {
      markdown += html;
    }
  }
  return { markdown, blocks };
}

/** Put the block classes' HTML in place of their placeholders in converted HTML (or in raw heading text). */
export function spliceBlocks(html: string, blocks: readonly string[]): string {
  if (blocks.length === 0) return html;
  const block = (_: string, index: string): string => blocks[Number(index)] ?? '';
  return html.replace(paragraphPlaceholderPattern, block).replace(placeholderPattern, block);
}
