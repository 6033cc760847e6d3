// deck/html-fragment.ts parses HTML as hast-util-from-html does, minus source positions: checked on tricky cases
// and on every markdown and HTML file of the tests read as HTML (all sorts of text), and on a whole rendered deck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { parseHtmlFragment } from '../../src/deck/html-fragment.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';

/** The tree without `position` (hast-util-from-html's addition), recursively. */
function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'position')
      .map(([key, child]) => [key, withoutPositions(child)]),
  );
}

const assertSameTree = (html: string, what: string) => assert.deepStrictEqual(parseHtmlFragment(html), withoutPositions(fromHtml(html, { fragment: true })), what);

test('tricky fragments: svg, templates, tables, noscript, odd attributes and tags', { timeout: 10_000 }, () => {
  const cases = [
    '',
    'text &amp; &lt;tag&gt; &nbsp; &copy',
    '<p>one<div>two</div>three</p>',
    '<pre>\nkept\n</pre><textarea>\nx</textarea>',
    '<svg viewBox="0 0 10 10"><path d="M0 0"/><foreignObject><p class="a">x</p></foreignObject><template><g/></template></svg>',
    '<math><mi xlink:href="x">y</mi></math>',
    '<template><p>in</p><td>cell</td></template>',
    '<table><tr><td>1<td>2</table><td>stray</td>',
    '<noscript><p>no script</p></noscript>',
    '<a constructor="x" __proto__="y" toString="z" class="b c" CLASS="d" data-x="1" style="a:b" hidden>k</a>',
    '<input type="text" value="v"><button type="submit" disabled>b</button>',
    '<a.b#c>selector-like tag</a.b#c><x-y z>custom</x-y>',
    '<!-- comment --><!doctype html><![CDATA[x]]><?pi?>',
    '<div class="exercise"><ul>\n<li>x</li>\n</ul></div>\n',
    '<span class="remark-code-span-highlighted">a</span> <b><i>mis</b>nested</i>',
  ];
  for (const html of cases) assertSameTree(html, html);
});

test('every markdown and HTML file of the tests, read as HTML', { timeout: 60_000 }, () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(md|html)$/.test(name)) files.push(path);
    }
  };
  walk('test');
  assert.ok(files.length > 50, `${files.length} files`);
  for (const file of files) assertSameTree(readFileSync(file, 'utf8'), file);
});

test('the slides of a rendered deck', { timeout: 60_000 }, async () => {
  const { deck } = await loadDeck('test/fixtures/container-training/swarm-halfday.yml');
  for (const slide of deck.slides) {
    assertSameTree(slide.html, `slide ${slide.position}`);
    assertSameTree(slide.notesHtml, `notes of slide ${slide.position}`);
  }
});
