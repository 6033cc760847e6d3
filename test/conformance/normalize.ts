// Canonical form of slide HTML, applied identically to remark.js's DOM and to labdeck's output, so that only
// differences a reader of the slide could notice remain: elements, classes, text, heading ids, link targets,
// image sources. Parsing with parse5 (through hast-util-from-html) also repairs invalid nesting the way the
// browser did for remark.js (a <div> inside a <p> closes the <p>).
import { fromHtml } from 'hast-util-from-html';

type HastRoot = ReturnType<typeof fromHtml>;
type HastNode = HastRoot['children'][number];
type HastElement = Extract<HastNode, { type: 'element' }>;

export interface NormalElement {
  readonly tag: string;
  /** Kept attributes, sorted by name; `class` is sorted and de-duplicated. */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: readonly NormalNode[];
}

/** A string is a text node. */
export type NormalNode = string | NormalElement;

/** Per element, the attributes worth comparing besides `class`. Everything else (style, align, title…) is ignored. */
const comparedAttributes: Record<string, readonly string[]> = {
  h1: ['id'],
  h2: ['id'],
  h3: ['id'],
  h4: ['id'],
  h5: ['id'],
  h6: ['id'],
  a: ['href'],
  img: ['src'],
};

/** Elements around which whitespace does not render (CSS collapses it at line starts and ends). */
const blockElements = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'wbr']);

interface Context {
  /** Inside <pre>: whitespace is content. */
  readonly preformatted: boolean;
  /** Inside <code>: every span is a highlighter token except remark's own highlighted spans. */
  readonly inCode: boolean;
}

function classesOf(element: HastElement): string[] {
  const value = element.properties.className;
  return Array.isArray(value) ? value.map(String) : [];
}

/** highlight.js versions differ (remark 0.14.1 bundles 9.x, labdeck uses 11): its markup is not compared. */
function isHighlighterClass(name: string): boolean {
  return name === 'hljs' || name.startsWith('hljs-');
}

function isHighlighterToken(element: HastElement, context: Context): boolean {
  const classes = classesOf(element);
  if (element.tagName === 'span' && context.inCode) return !classes.includes('remark-code-span-highlighted');
  return classes.some((name) => name.startsWith('hljs-'));
}

function keptClasses(element: HastElement): string[] {
  // On <code>, hljs adds `hljs` and the detected language, marked the fence's info string: only remark's own count.
  const keep = element.tagName === 'code' ? (name: string) => name.startsWith('remark-') : (name: string) => !isHighlighterClass(name);
  return [...new Set(classesOf(element).filter((name) => name !== '' && keep(name)))].sort();
}

function keptAttributes(element: HastElement): Array<[string, string]> {
  const attributes: Array<[string, string]> = [];
  const classes = keptClasses(element);
  if (classes.length > 0) attributes.push(['class', classes.join(' ')]);
  for (const name of comparedAttributes[element.tagName] ?? []) {
    const value = element.properties[name];
    if (value !== undefined && value !== null) attributes.push([name, String(value)]);
  }
  return attributes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function isBlock(node: NormalNode | undefined): boolean {
  return node !== undefined && typeof node !== 'string' && blockElements.has(node.tag);
}

function normalizeChildren(children: readonly HastNode[], context: Context, parentIsBlock: boolean): NormalNode[] {
  const flat: NormalNode[] = [];
  for (const child of children) {
    if (child.type === 'text') flat.push(child.value);
    else if (child.type === 'element') {
      const tag = child.tagName;
      const inner: Context = { preformatted: context.preformatted || tag === 'pre', inCode: context.inCode || tag === 'code' };
      // <template> content lives in a separate fragment in hast; slides never use it.
      const grandChildren = tag === 'template' ? [] : child.children;
      if (isHighlighterToken(child, context)) {
        flat.push(...normalizeChildren(grandChildren, inner, false));
      } else {
        flat.push({
          tag,
          attributes: keptAttributes(child),
          children: normalizeChildren(grandChildren, inner, blockElements.has(tag)),
        });
      }
    }
    // comments and doctypes are not part of what a slide shows
  }
  return context.preformatted ? mergeText(flat) : collapseWhitespace(mergeText(flat), parentIsBlock);
}

function mergeText(nodes: NormalNode[]): NormalNode[] {
  const merged: NormalNode[] = [];
  for (const node of nodes) {
    const last = merged[merged.length - 1];
    if (typeof node === 'string' && typeof last === 'string') merged[merged.length - 1] = last + node;
    else if (node !== '') merged.push(node);
  }
  return merged;
}

/** Runs of HTML whitespace become one space; whitespace next to a block boundary disappears. */
function collapseWhitespace(nodes: NormalNode[], parentIsBlock: boolean): NormalNode[] {
  const result: NormalNode[] = [];
  nodes.forEach((node, index) => {
    if (typeof node !== 'string') {
      result.push(node);
      return;
    }
    let text = node.replace(/[ \t\n\f\r]+/g, ' ');
    const previous = nodes[index - 1];
    const next = nodes[index + 1];
    if (isBlock(previous) || (previous === undefined && parentIsBlock)) text = text.replace(/^ /, '');
    if (isBlock(next) || (next === undefined && parentIsBlock)) text = text.replace(/ $/, '');
    if (text !== '') result.push(text);
  });
  return result;
}

/** Parses an HTML fragment (innerHTML of a slide or of its notes) into its canonical tree. */
export function normalizeHtml(html: string): NormalNode[] {
  const root = fromHtml(html, { fragment: true });
  return normalizeChildren(root.children, { preformatted: false, inCode: false }, true);
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\u00a0/g, '&nbsp;');
}

export function canonicalNode(node: NormalNode): string {
  if (typeof node === 'string') return escapeText(node);
  const attributes = node.attributes.map(([name, value]) => ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
  if (voidElements.has(node.tag) && node.children.length === 0) return `<${node.tag}${attributes}>`;
  return `<${node.tag}${attributes}>${canonicalHtml(node.children)}</${node.tag}>`;
}

/** The compact canonical string: HTML with only the compared attributes and normalised text. */
export function canonicalHtml(nodes: readonly NormalNode[]): string {
  return nodes.map(canonicalNode).join('');
}
