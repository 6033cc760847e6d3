import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fontServiceFamilies, scopeDeckStyle, scopeSelector, type FontFaceSource } from '../../src/deck/deck-style.ts';
import { parseCssStatements } from '../../src/deck/css-statements.ts';

const ui = 'labdeck-ui';
const subject = `:where(:not(.${ui}, .${ui} *))`;
const noFonts: FontFaceSource = () => undefined;
const scoped = (css: string, fonts: FontFaceSource = noFonts) => scopeDeckStyle([{ css, path: 'workshop.css', file: 'workshop.css' }], { fontFaces: fonts, uiClass: ui });

test('CSS statements: rules, at-rules with and without blocks, nested blocks, strings and comments', () => {
  const statements = parseCssStatements('@import url(a.css);\n/* { */ a { content: "}" }\n@media print {\n  b { c: d }\n}\n');
  assert.deepEqual(
    statements.map((s) => (s.kind === 'rule' ? `rule ${s.selector} @${s.line}` : `@${s.name} ${s.prelude} ${s.block === null ? ';' : '{}'} @${s.line}`)),
    ['@import url(a.css) ; @1', 'rule a @2', '@media print {} @3'],
  );
  const media = statements[2];
  assert.ok(media?.kind === 'at' && media.block !== null);
  assert.deepEqual(
    parseCssStatements(media.block, media.line).map((s) => s.kind === 'rule' && `${s.selector} @${s.line}`),
    ['b @4'],
  );
});

test('selectors are scoped to the slides; html, body and :root become the slide container; labdeck UI is left out', () => {
  assert.equal(scopeSelector('h1, h2', ui), `.remark-slide-container h1${subject}, .remark-slide-container h2${subject}`);
  assert.equal(scopeSelector('div.remark-slide-number', ui), `.remark-slide-container div.remark-slide-number${subject}`);
  assert.equal(scopeSelector('body', ui), `.remark-slide-container${subject}`);
  assert.equal(scopeSelector('html body .x > p', ui), `.remark-slide-container .x > p${subject}`);
  assert.equal(scopeSelector(':root', ui), `.remark-slide-container${subject}`);
  assert.equal(scopeSelector('.remark-slide-container.remark-visible', ui), `.remark-slide-container.remark-visible${subject}`);
  // Pseudo-elements stay last, as they must.
  assert.equal(scopeSelector('.exercise:before', ui), `.remark-slide-container .exercise${subject}:before`);
  assert.equal(scopeSelector('a::after', ui), `.remark-slide-container a${subject}::after`);
  assert.equal(scopeSelector('a[title="x, y"]:not(.b, .c) span', ui), `.remark-slide-container a[title="x, y"]:not(.b, .c) span${subject}`);
});

test("container.training's workshop.css: fonts replaced by local faces, rules scoped, @page read for print, images found", () => {
  const css = readFileSync('test/fixtures/container-training/workshop.css', 'utf8');
  const asked: string[] = [];
  const fonts: FontFaceSource = (family, variants) => {
    asked.push(`${family} ${variants.map((v) => `${v.weight}${v.style === 'italic' ? 'i' : ''}`).join(',')}`);
    return `@font-face { font-family: '${family}'; src: url(_labdeck/fonts/x.woff2) format('woff2'); }`;
  };
  const style = scoped(css, fonts);
  assert.deepEqual(asked, ['Droid Serif 400,700,400i', 'Ubuntu Mono 400,700,400i', 'Inconsolata 400,700', 'Open Sans 400']);
  assert.doesNotMatch(style.css, /@import|googleapis/);
  assert.match(style.css, /@font-face \{ font-family: 'Droid Serif'/);
  assert.deepEqual(style.pageSize, { width: 1210, height: 681 });
  assert.doesNotMatch(style.css, /@page/, 'print.ts owns the page size');
  assert.match(style.css, /\.remark-slide-container div\.remark-slide-number:where\(:not\(\.labdeck-ui, \.labdeck-ui \*\)\) \{\s*top: 6px;/);
  assert.match(style.css, /@media print \{\s*\.remark-slide-container \.remark-slide-scaler/);
  // Every selector is under the slides' container: nothing of it reaches labdeck's own interface.
  for (const line of style.css.split('\n')) {
    if (line.trimEnd().endsWith('{') && !/^\s*@/.test(line)) assert.match(line, /^\s*\.remark-slide-container[\s.:{]/, line);
  }
  assert.deepEqual(style.files, ['images/blackbelt.png', 'images/warning.png', 'images/keyboard.png', 'images/extra-details.png']);
  // An emoji shows even where the family the author names has none (printing on a machine without an emoji font).
  assert.match(style.css, /font-family: 'Droid Serif', "Noto Color Emoji";/);
  assert.match(style.css, /font-family: 'Inconsolata', "Noto Color Emoji";/);
  assert.deepEqual(style.notices, []);
});

test('url() of a stylesheet in a subfolder is made relative to the workshop folder; outside it, remote and data URLs stay', () => {
  const style = scopeDeckStyle(
    [
      {
        css: '.a { background: url("../images/a.png") } .b { background: url(b.svg) } .c { background: url(https://x.org/c.png) } .d { background: url(data:image/png;base64,AA) }',
        path: 'css/look.css',
        file: 'css/look.css',
      },
    ],
    { fontFaces: noFonts, uiClass: ui },
  );
  assert.match(style.css, /url\("images\/a\.png"\)/);
  assert.match(style.css, /url\(css\/b\.svg\)/);
  assert.match(style.css, /url\(https:\/\/x\.org\/c\.png\)/);
  assert.deepEqual(style.files, ['images/a.png', 'css/b.svg']);
});

test('a remote @import that is no font service, or a family labdeck does not serve, is dropped with a notice at its line', () => {
  const style = scoped('a { color: red }\n@import url(https://cdn.example.org/theme.css);\n@import url(https://fonts.googleapis.com/css?family=Comic+Neue);\n');
  assert.doesNotMatch(style.css, /@import/);
  assert.deepEqual(
    style.notices.map((n) => `${n.location.file}:${n.location.line}: ${n.message}`),
    [
      'workshop.css:2: @import of https://cdn.example.org/theme.css not applied: the page fetches nothing from other sites (name the file under "stylesheet:" in workshop.yml instead)',
      'workshop.css:3: font "Comic Neue" is not one labdeck serves: the slides use a fallback font',
    ],
  );
});

test('font service URLs: Google Fonts css and css2 forms', () => {
  assert.deepEqual(fontServiceFamilies('https://fonts.googleapis.com/css?family=Droid+Serif:400,700,400italic|Ubuntu+Mono'), [
    {
      family: 'Droid Serif',
      variants: [
        { weight: 400, style: 'normal' },
        { weight: 700, style: 'normal' },
        { weight: 400, style: 'italic' },
      ],
    },
    { family: 'Ubuntu Mono', variants: [{ weight: 400, style: 'normal' }] },
  ]);
  assert.deepEqual(fontServiceFamilies('https://fonts.googleapis.com/css2?family=Open+Sans:ital,wght@0,400;1,700&family=Inconsolata&display=swap'), [
    {
      family: 'Open Sans',
      variants: [
        { weight: 400, style: 'normal' },
        { weight: 700, style: 'italic' },
      ],
    },
    { family: 'Inconsolata', variants: [{ weight: 400, style: 'normal' }] },
  ]);
  assert.equal(fontServiceFamilies('https://example.org/css?family=X'), undefined);
});
