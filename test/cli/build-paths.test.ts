// How labdeck's own asset URLs become relative to the page of a static export (the files it copies:
// test/deck/references.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assetUrlsRelative } from '../../src/commands/build.ts';

test("labdeck's own asset URLs become relative to the page, nothing else changes", () => {
  assert.equal(
    assetUrlsRelative('<img src="/_labdeck/interstitial.svg"><img src="/images/_labdeck/x.png"><p>/_labdeck/ in text</p>'),
    '<img src="_labdeck/interstitial.svg"><img src="/images/_labdeck/x.png"><p>/_labdeck/ in text</p>',
  );
  assert.equal(assetUrlsRelative('<div style="background: url(&quot;/_labdeck/a.svg&quot;)">'), '<div style="background: url(&quot;_labdeck/a.svg&quot;)">');
});
