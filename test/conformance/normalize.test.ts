import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHtml, normalizeHtml } from './normalize.ts';

const canonical = (html: string) => canonicalHtml(normalizeHtml(html));

test('highlight.js markup is not compared: token spans unwrapped, hljs and language classes dropped from <code>', () => {
  const remark =
    '<pre><code class="bash hljs remark-code"><div class="remark-code-line"><span class="hljs-built_in">echo</span> <span class="remark-code-span-highlighted">hi</span> there</div></code></pre>';
  const labdeck =
    '<pre><code class="language-bash hljs remark-code"><div class="remark-code-line"><span class="hljs-meta"><span class="hljs-keyword">echo</span></span> <span class="remark-code-span-highlighted">hi</span> there</div></code></pre>';
  assert.equal(canonical(remark), canonical(labdeck));
  assert.equal(
    canonical(remark),
    '<pre><code class="remark-code"><div class="remark-code-line">echo <span class="remark-code-span-highlighted">hi</span> there</div></code></pre>',
  );
});

test('hljs 9 sub-language spans (no hljs- prefix) inside code are unwrapped too', () => {
  assert.equal(canonical('<pre><code class="html"><span class="xml"><span class="hljs-tag">&lt;b&gt;</span></span></code></pre>'), '<pre><code>&lt;b></code></pre>');
});

test('remark classes that carry meaning are kept', () => {
  assert.equal(canonical('<code class="remark-inline-code">x</code>'), '<code class="remark-inline-code">x</code>');
  assert.notEqual(canonical('<div class="remark-code-line">a</div>'), canonical('<div>a</div>'));
});

test('comments are ignored and whitespace between blocks collapses', () => {
  assert.equal(canonical('<h1 id="a">A</h1>\n<!-- c -->\n<p>x\n  y</p>\n'), '<h1 id="a">A</h1><p>x y</p>');
});

test('whitespace between inline elements is kept, whitespace in <pre> is kept verbatim', () => {
  assert.notEqual(canonical('<p><em>a</em> <b>b</b></p>'), canonical('<p><em>a</em><b>b</b></p>'));
  assert.notEqual(canonical('<pre><code>  a\n</code></pre>'), canonical('<pre><code>a\n</code></pre>'));
});

test('heading ids, link targets and image sources are compared; other attributes are not', () => {
  assert.notEqual(canonical('<h2 id="a">T</h2>'), canonical('<h2 id="b">T</h2>'));
  assert.notEqual(canonical('<a href="#x">l</a>'), canonical('<a href="#y">l</a>'));
  assert.notEqual(canonical('<img src="a.png">'), canonical('<img src="b.png">'));
  assert.equal(canonical('<td style="text-align:center">x</td>'), canonical('<td align="center">x</td>'));
  assert.equal(canonical('<p title="t" id="p">x</p>'), '<p>x</p>');
});

test('class order and duplicates do not matter, entities are compared decoded', () => {
  assert.equal(canonical('<div class="b a a">x</div>'), '<div class="a b">x</div>');
  assert.equal(canonical('<p>&copy; &#60; &nbsp;</p>'), canonical('<p>© &lt; \u00a0</p>'));
});

test('invalid nesting is repaired as a browser does (a block <div> closes the <p>)', () => {
  assert.equal(canonical('<p>a <div class="red">b</div> c</p>'), '<p>a</p><div class="red">b</div>c<p></p>');
});
