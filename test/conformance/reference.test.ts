// Proves the reference harness itself, independently of labdeck: the bundle is the real 0.14.1, the fork patch does
// what container.training's fork does (and only the patch does it), and remark.js reproduces documented examples.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalHtml, normalizeHtml } from './normalize.ts';
import {
  chromiumVersion,
  loadOfficialBundle,
  md5,
  patchIntoFork,
  REMARK_0_14_1_MD5,
  referenceCacheDir,
  referenceCacheKey,
  RemarkReference,
  type ReferenceSlide,
} from './reference.ts';

const contents = (slides: readonly ReferenceSlide[]) => slides.map((slide) => canonicalHtml(normalizeHtml(slide.html)));

describe('the reference bundle', () => {
  test('is the official remark.js 0.14.1 (md5 verified)', async () => {
    assert.equal(md5(await loadOfficialBundle()), REMARK_0_14_1_MD5);
  });

  test('the fork patch fails loudly when its anchor is missing or ambiguous', async () => {
    const bundle = await loadOfficialBundle();
    const pushAnchor = '"true"!==e.properties.layout&&(n.push(l),e.properties.name&&(n.byName[e.properties.name]=l))';
    assert.throws(() => patchIntoFork(bundle.replace(pushAnchor, pushAnchor.replace('n.push(l)', 'n.push(s)'))), /anchor not found/);
    assert.throws(() => patchIntoFork(bundle.replace(pushAnchor, `${pushAnchor},${pushAnchor}`)), /more than once/);
    assert.throws(() => patchIntoFork(bundle.replace('e.element.className="remark-slide",', '')), /anchor not found/);
    assert.notEqual(patchIntoFork(bundle), bundle);
  });
});

describe('the reference cache key', () => {
  const job = { markdown: '# A\n---\nB', options: { excludedClasses: ['x'] } };
  const inputs = { bundle: 'bundle after patching', harnessSource: 'reference.ts source', browserVersion: 'Chromium 156.0.8078.114', job };
  const key = referenceCacheKey(inputs);

  test('is stable for the same inputs', { timeout: 5_000 }, () => {
    assert.equal(referenceCacheKey({ ...inputs, job: { ...job, options: { excludedClasses: ['x'] } } }), key);
    assert.match(key, /^[0-9a-f]{64}$/);
  });

  test('changes with the bytes of the bundle the page runs (the fork patch, or another bundle)', { timeout: 5_000 }, () => {
    assert.notEqual(referenceCacheKey({ ...inputs, bundle: 'bundle after another patch' }), key);
  });

  test('changes with the harness source: the page, the options given to remark.js, the extraction', { timeout: 5_000 }, () => {
    assert.notEqual(referenceCacheKey({ ...inputs, harnessSource: 'reference.ts source, extraction edited' }), key);
  });

  test('changes with the browser that renders (its version)', { timeout: 5_000 }, () => {
    assert.notEqual(referenceCacheKey({ ...inputs, browserVersion: 'Chromium 157.0.1.2' }), key);
  });

  test('changes with the deck, its excluded classes and the variant', { timeout: 5_000 }, () => {
    assert.notEqual(referenceCacheKey({ ...inputs, job: { ...job, markdown: '# A\n---\nC' } }), key);
    assert.notEqual(referenceCacheKey({ ...inputs, job: { ...job, options: { excludedClasses: [] } } }), key);
    assert.notEqual(referenceCacheKey({ ...inputs, job: { ...job, variant: 'official' } }), key);
  });

  test("a reference's cache path is keyed on its own patched bundle, the harness file and this machine's Chromium", { timeout: 30_000 }, async () => {
    const reference = await RemarkReference.start();
    try {
      const harnessSource = readFileSync(join(import.meta.dirname, 'reference.ts'), 'utf8');
      const browserVersion = await chromiumVersion();
      assert.match(browserVersion, /Chromium \d+\./);
      const official = await loadOfficialBundle();
      for (const [variant, bundle] of [
        ['fork', patchIntoFork(official)],
        ['official', official],
      ] as const) {
        const expected = referenceCacheKey({ bundle, harnessSource, browserVersion, job: { ...job, variant } });
        assert.equal(reference.cachePath({ ...job, variant }), join(referenceCacheDir, 'results', `${expected}.json`), variant);
      }
    } finally {
      await reference.dispose();
    }
  });
});

describe('remark.js in Chromium', () => {
  let reference: RemarkReference;
  before(async () => {
    reference = await RemarkReference.start();
  });
  after(() => reference.dispose());

  test('spec §2.4: an excluded slide cannot be continued; `--` continues the last kept slide', async () => {
    const slides = await reference.render('A\n---\nexclude: true\nB\n--\nC');
    assert.deepEqual(contents(slides), ['<p>A</p>', '<p>AC</p>']);
    assert.deepEqual(
      slides.map((slide) => slide.continued),
      [false, true],
    );
    assert.deepEqual(
      slides.map((slide) => slide.numberText),
      ['1/2', '2/2'],
    );
  });

  test('spec §2.1/§2.2: no blank lines needed; `--` glues without a newline in 0.14.1', async () => {
    assert.deepEqual(contents(await reference.render('A\n---\nB')), ['<p>A</p>', '<p>B</p>']);
    assert.deepEqual(contents(await reference.render('# B\n--\nmore')), ['<h1 id="b">B</h1>', '<h1 id="bmore">Bmore</h1>']);
  });

  test('spec §2.5: an unmatched backtick swallows the following separators', async () => {
    assert.equal((await reference.render('it`s\n---\nB\n---\nit`s')).length, 1);
  });

  test('spec §11 case 7 and 9: exclude and layouts through the whole pipeline', async () => {
    assert.deepEqual(contents(await reference.render('1\n---\nexclude: true\n2\n---\n3')), ['<p>1</p>', '<p>3</p>']);
    assert.deepEqual(contents(await reference.render('layout: true\na\n---\nb')), ['<p>ab</p>']);
  });

  test('spec §4.2: count: false slides repeat the previous number, never below 1', async () => {
    const slides = await reference.render('count: false\nA\n---\nB\n---\ncount: false\nC\n---\nD');
    assert.deepEqual(
      slides.map((slide) => slide.numberText),
      ['1/2', '1/2', '1/2', '2/2'],
    );
  });

  test('spec §1: the textarea decodes character references once; names, classes and notes are read', async () => {
    const [slide] = await reference.render('name: intro\nclass: center, middle\n\na &lt; b &amp;amp; &copy;\n???\n*n*');
    assert.ok(slide, 'one slide');
    assert.deepEqual(contents([slide]), ['<p>a &lt; b &amp; ©</p>']);
    assert.equal(slide.name, 'intro');
    assert.deepEqual(slide.classes, ['center', 'middle']);
    assert.equal(canonicalHtml(normalizeHtml(slide.notesHtml)), '<p><em>n</em></p>');
  });

  test('the fork patch: exclusion after inheritance, split on ", ", increments marked; 0.14.1 has neither', async () => {
    const deck = 'A\n---\nclass: x\nB\n--\nC\n---\nclass: snap,x\nD\n---\nclass: snap, x\nE\n--\nclass: x\nF';
    const options = { excludedClasses: ['x'] };
    const fork = await reference.render(deck, options);
    assert.deepEqual(contents(fork), ['<p>A</p>', '<p>AC</p>', '<p>D</p>']);
    assert.deepEqual(
      fork.map((slide) => slide.continued),
      [false, true, false],
    );
    assert.deepEqual(
      fork.map((slide) => slide.classes),
      [[], [], ['snap', 'x']],
    );
    assert.deepEqual(
      fork.map((slide) => slide.numberText),
      ['1/3', '2/3', '3/3'],
    );
    const official = await reference.render(deck, options, 'official');
    assert.deepEqual(contents(official), ['<p>A</p>', '<p>B</p>', '<p>BC</p>', '<p>D</p>', '<p>E</p>', '<p>E F</p>']);
    assert.ok(official.every((slide) => !slide.continued));
  });

  test('results are cached on disk: a second render does not use the browser', async () => {
    const job = { markdown: '# Cached\n---\ntwo', options: { excludedClasses: [] } };
    const first = await reference.render(job.markdown, job.options);
    assert.ok(existsSync(reference.cachePath(job)));
    const rendersBefore = reference.browserRenders;
    assert.deepEqual(await reference.render(job.markdown, job.options), first);
    assert.equal(reference.browserRenders, rendersBefore);
  });
});
