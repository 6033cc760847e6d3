// HTML text → hast, as the browser's innerHTML parses it: parse5's fragment parser, turned into hast exactly as
// hast-util-from-html does (hastscript's `h`/`s` per element, template content, comments, text), but without source
// positions. render.ts parses every slide (and every code block) this way and never reads a position, while
// tracking them took about two thirds of the parsing time (issue #12, cold render).
import { h, s } from 'hastscript';
import { parseFragment as parse5Fragment, type DefaultTreeAdapterMap } from 'parse5';
import type { Element, ElementContent, Root, RootContent } from 'hast';

type Parse5Node = DefaultTreeAdapterMap['node'];

const svgNamespace = 'http://www.w3.org/2000/svg';
const htmlNamespace = 'http://www.w3.org/1999/xhtml';

/** `html` as a fragment (scripting off, as hast-util-from-html parses); the same tree, without `position`. */
export function parseHtmlFragment(html: string): Root {
  return fromParse5(parse5Fragment(html, { scriptingEnabled: false })) as Root;
}

function fromParse5(node: Parse5Node): Root | RootContent {
  switch (node.nodeName) {
    case '#comment':
      return { type: 'comment', value: (node as DefaultTreeAdapterMap['commentNode']).data };
    case '#document':
    case '#document-fragment': {
      const quirksMode = 'mode' in node ? node.mode === 'quirks' || node.mode === 'limited-quirks' : false;
      return { type: 'root', children: children(node as DefaultTreeAdapterMap['parentNode']), data: { quirksMode } };
    }
    case '#documentType':
      return { type: 'doctype' };
    case '#text':
      return { type: 'text', value: (node as DefaultTreeAdapterMap['textNode']).value };
    default:
      return element(node as DefaultTreeAdapterMap['element']);
  }
}

function children(node: DefaultTreeAdapterMap['parentNode']): RootContent[] {
  return node.childNodes.map((child) => fromParse5(child) as RootContent);
}

function element(node: DefaultTreeAdapterMap['element']): Element {
  const properties: Record<string, string> = {};
  for (const attribute of node.attrs) {
    const name = (attribute.prefix ? `${attribute.prefix}:` : '') + attribute.name;
    // As hast-util-from-parse5: no property may shadow Object.prototype (`constructor`, `__proto__`).
    if (!Object.hasOwn(Object.prototype, name)) properties[name] = attribute.value;
  }
  const create = node.namespaceURI === svgNamespace ? s : h;
  const result = create(node.tagName, properties, children(node) as ElementContent[]);
  if (result.tagName === 'template') {
    if (node.namespaceURI === htmlNamespace) {
      result.content = fromParse5((node as DefaultTreeAdapterMap['template']).content) as Root;
    } else if (result.content) {
      result.children = result.content.children as ElementContent[];
      delete result.content;
    }
  }
  return result;
}
