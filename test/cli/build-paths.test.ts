// Which files a static export copies, and how labdeck's own asset URLs become relative to the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assetUrlsRelative, referencedPaths } from '../../src/commands/build.ts';

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
  const html = '<a href="#toc-part-1">x</a><img src="https://example.org/a.png"><img src="/_labdeck/x.svg">' +
    '<img src="data:image/png;base64,AAAA"><a href="mailto:me@example.org">me</a><a href="//cdn.example.org/x.js">x</a>';
  assert.deepEqual(referencedPaths(html), []);
});

test("labdeck's own asset URLs become relative to the page, nothing else changes", () => {
  assert.equal(
    assetUrlsRelative('<img src="/_labdeck/interstitial.svg"><img src="/images/_labdeck/x.png"><p>/_labdeck/ in text</p>'),
    '<img src="_labdeck/interstitial.svg"><img src="/images/_labdeck/x.png"><p>/_labdeck/ in text</p>',
  );
  assert.equal(assetUrlsRelative('<div style="background: url(&quot;/_labdeck/a.svg&quot;)">'), '<div style="background: url(&quot;_labdeck/a.svg&quot;)">');
});
