// The sanitize schema for slide HTML: plain data, typed by hast-util-sanitize's own `Schema` (a type import only).
//
// Decks are trusted authors but we still never let a deck run script in an attendee's page: elements and
// attributes are allow-listed, URLs limited to safe protocols. It starts from GitHub's rules (hast-util-sanitize's
// default schema) and deliberately widens them where remark.js slides need it:
// - `class` on every element slides style: content classes become div/span classes (`.exercise`, `.footnote`,
//   `.red`), highlight.js and remark.js put classes on pre/code/span/div (`hljs-*`, `remark-code-line`, ...).
// - `id` on headings stays as marked wrote it (no `user-content-` prefix): decks link to `#toc-...` slide names,
//   and the browser compares ids verbatim.
// - `style` only on table cells, and only the `text-align` marked writes there; images may set width/height.
// - HTML comments are kept: remark.js leaves them in the DOM (container.training hides autotest directives there)
//   and they cannot execute anything.
// - No iframe, video, form elements, `style` elsewhere or event handlers: the fixtures use none of them.
import type { Schema } from 'hast-util-sanitize';

const headings = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const blockTags = ['div', 'p', 'pre', 'blockquote', 'hr', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'details', 'summary'];
const tableTags = ['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col'];
const inlineTags = [
  'a',
  'abbr',
  'b',
  'br',
  'cite',
  'code',
  'del',
  'em',
  'i',
  'img',
  'ins',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'u',
  'var',
  'wbr',
  'figure',
  'figcaption',
];

/** Elements that may carry any class: everything the schema allows. */
const classed = [...headings, ...blockTags, ...tableTags, ...inlineTags];

const alignedCell: Array<string | [string, ...Array<string | number | boolean | RegExp>]> = [
  'className',
  'colSpan',
  'rowSpan',
  'align',
  // marked 0.3.1 table alignment, exactly as it writes it; nothing else may come through `style`.
  ['style', /^text-align:\s*(left|right|center);?$/],
];

export const slideSchema: Schema = {
  allowComments: true,
  allowDoctypes: false,
  ancestors: { tbody: ['table'], td: ['table'], th: ['table'], thead: ['table'], tfoot: ['table'], tr: ['table'] },
  attributes: {
    ...Object.fromEntries(classed.map((tag) => [tag, ['className']])),
    ...Object.fromEntries(headings.map((tag) => [tag, ['className', 'id']])),
    a: ['className', 'href', 'title', 'id', 'name', 'target'],
    img: ['className', 'src', 'alt', 'title', 'width', 'height'],
    ol: ['className', 'start', 'type'],
    th: alignedCell,
    td: alignedCell,
    '*': ['title', 'lang', 'dir'],
  },
  clobber: [],
  clobberPrefix: '',
  protocols: {
    href: ['http', 'https', 'mailto', 'irc', 'ircs', 'xmpp'],
    src: ['http', 'https'],
    cite: ['http', 'https'],
  },
  required: {},
  strip: ['script', 'style', 'template', 'noscript'],
  tagNames: classed,
};
