// Content classes `.a.b[ ... ]` → `<div class="a b">` / `<span class="a b">`, the way remark.js's converter does it:
// the inner content is converted to HTML first, then that HTML is spliced into the parent's markdown, which marked
// (here: marked-compat.ts + remark) reads with the HTML in it. A `<div>` alone between blank lines is then one of
// marked's HTML blocks, passed through whole; a class in running text is inline HTML; and a class whose `]` came
// too early (inside code) leaves HTML that the parent's markdown mangles exactly as remark.js does.
import type { ContentClass, ContentNode } from './types.ts';

/** The element remark.js wraps a class's converted content in. */
export function contentClassHtml(node: ContentClass, innerHtml: string): string {
  const tag = node.block ? 'div' : 'span';
  return `<${tag} class="${node.classes.join(' ')}">${innerHtml}</${tag}>`;
}

/**
 * Concatenate a content list into one markdown string, converting each class's inner content with `convertInner`
 * (called with `inline` = the class is a span, as remark.js passes `!block`).
 */
export function assembleMarkdown(content: readonly ContentNode[], convertInner: (content: ContentNode[], inline: boolean) => string): string {
  let markdown = '';
  for (const node of content) {
    markdown += typeof node === 'string' ? node : contentClassHtml(node, convertInner(node.content, !node.block));
  }
  return markdown;
}
