// Which workshop files a slide's HTML loads or links to: what `labdeck build` copies and `labdeck serve` serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referencedPaths } from '../../src/deck/references.ts';

test('relative src, href and url() references are found, normalised and percent-encoded', () => {
  const html = [
    '<img src="images/whale.png" alt="">',
    "<img src='./images/a b.png'>",
    '<a href="handout.pdf#page=2">handout</a>',
    '<div style="background-image: url(&quot;bg/sky.jpg&quot;)"></div>',
    '<span style="background: url(bg/other.jpg?v=2)"></span>',
  ].join('\n');
  assert.deepEqual(referencedPaths(html), ['/images/whale.png', '/images/a%20b.png', '/handout.pdf', '/bg/sky.jpg', '/bg/other.jpg']);
});

test('external, absolute, in-page and data references are not files to copy', () => {
  const html =
    '<a href="#toc-part-1">x</a><img src="https://example.org/a.png"><img src="/_labdeck/x.svg">' +
    '<img src="data:image/png;base64,AAAA"><a href="mailto:me@example.org">me</a><a href="//cdn.example.org/x.js">x</a>';
  assert.deepEqual(referencedPaths(html), []);
});

test('a page served at / also loads root paths from the workshop folder; other hosts stay out', () => {
  const html =
    '<img src="/images/root.png"><img src="images/relative.png"><a href="//cdn.example.org/x.js">x</a>' + '<img src="https://example.org/a.png"><a href="#toc">toc</a>';
  assert.deepEqual(referencedPaths(html, { rootPaths: true }), ['/images/root.png', '/images/relative.png']);
});

test('character references in attributes are decoded first, as the browser does before it asks', () => {
  // The renderer writes `![x](images/a&b.png)` as src="images/a&amp;b.png": the browser asks for /images/a&b.png.
  assert.deepEqual(referencedPaths('<img src="images/a&amp;b.png"><a href="x&#x26;y&#38;z.pdf">x</a>'), ['/images/a&b.png', '/x&y&z.pdf']);
});

test('.. cannot climb above the page: it stays inside the served folder', () => {
  assert.deepEqual(referencedPaths('<img src="../../etc/passwd"><img src="images/../a.png">'), ['/etc/passwd', '/a.png']);
});
