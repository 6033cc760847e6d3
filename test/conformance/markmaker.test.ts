// labdeck's assembly against container.training's real markmaker.py (issue #13): the fixture deck, in a git checkout
// with a remote as container.training's build has it, assembled by markmaker.py and by labdeck from the same tree.
// The markdown must be the same text (the build banner aside), and remark.js 0.14.1 (fork) on markmaker's page must
// show the same slides as labdeck, HTML included. See docs/conformance.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkshop } from '../../src/config/workshop.ts';
import { assembleWorkshop, loadDeck, type LoadedDeck } from '../../src/workshop/load-deck.ts';
import { describeFirstDifference } from '../support/golden.ts';
import { compareSlideLists, describeDifferences, percent } from './compare.ts';
import { fixtureCheckout, fixtureDeckDir, runMarkmaker, withoutBuildBanner, type Checkout, type MarkmakerOutput } from './markmaker.ts';
import { RemarkReference, type ReferenceSlide } from './reference.ts';

const manifest = 'swarm-halfday.yml';
const remote = 'https://github.com/jpetazzo/container.training.git';
const branch = 'conformance-branch';

/** What was run once for the whole file. */
interface Fixture {
  readonly checkout: Checkout;
  readonly markmaker: MarkmakerOutput;
  readonly labdeck: LoadedDeck;
  /** remark.js on markmaker's page. */
  readonly reference: ReferenceSlide[];
}

let fixture: Fixture | undefined;
let remark: RemarkReference | undefined;
const checkouts: Checkout[] = [];

function ready(): Fixture {
  assert.ok(fixture, 'the fixture was not built (see the error of before())');
  return fixture;
}

// A cold reference renders the 276 slides in Chromium once (then cached); markmaker.py takes well under a second.
before(
  async () => {
    const checkout = await fixtureCheckout({ remote, branch });
    checkouts.push(checkout);
    const markmaker = await runMarkmaker(checkout.slides, manifest);
    const labdeck = await loadDeck(join(checkout.slides, manifest), {}, undefined, {});
    remark = await RemarkReference.start();
    const reference = await remark.render(markmaker.markdown, { excludedClasses: markmaker.excludedClasses });
    fixture = { checkout, markmaker, labdeck, reference };
  },
  { timeout: 240_000 },
);

after(
  async () => {
    await remark?.dispose();
    await Promise.all(checkouts.map((checkout) => checkout.dispose()));
  },
  { timeout: 30_000 },
);

/** The first differing line, numbered as in markmaker's markdown. */
function assertSameText(labdeck: string, markmaker: string, label: string): void {
  if (labdeck !== markmaker) assert.fail(describeFirstDifference(markmaker, labdeck, `${label} (- markmaker.py, + labdeck)`));
}

describe('the fixture deck, assembled by markmaker.py and by labdeck in a git checkout with a remote', () => {
  test('the same exclude list reaches remark.js', { timeout: 60_000 }, () => {
    assert.deepEqual(ready().labdeck.workshop.exclude, ready().markmaker.excludedClasses);
  });

  test('the same markdown, byte for byte, the build banner aside', { timeout: 60_000 }, () => {
    const { labdeck, markmaker } = ready();
    assertSameText(labdeck.source.markdown, withoutBuildBanner(markmaker.markdown), manifest);
  });

  test("remark.js on markmaker.py's page shows the slides labdeck shows, slide by slide, HTML included", { timeout: 60_000 }, () => {
    const { labdeck, reference } = ready();
    const comparison = compareSlideLists(reference, labdeck.deck.slides);
    console.log(`labdeck vs markmaker.py + remark.js: ${comparison.equal}/${comparison.total} slides equal (${percent(comparison.equal, comparison.total)})`);
    assert.ok(comparison.total > 200, `only ${comparison.total} slides`);
    assert.equal(comparison.equal, comparison.total, describeDifferences(comparison));
  });

  test('the build banner (left out by labdeck) is on the first slide, which the exclude list hides', { timeout: 60_000 }, () => {
    const { markmaker, reference } = ready();
    const firstSlide = markmaker.markdown.slice(0, markmaker.markdown.indexOf('\n---\n'));
    assert.ok(withoutBuildBanner(firstSlide).length < firstSlide.length, 'the banner is in the first slide');
    const classes = /^class: (.*)$/m.exec(firstSlide)?.[1]?.split(', ') ?? [];
    assert.ok(
      classes.some((name) => markmaker.excludedClasses.includes(name)),
      `the first slide (class: ${classes.join(', ')}) is excluded`,
    );
    assert.ok(!reference.some((slide) => slide.html.includes('These slides have been built from commit')));
  });
});

describe('footer links as markmaker.py makes them, from the same tree', () => {
  test('REPOSITORY_URL and BRANCH win over the checkout (a git@github.com: remote made https://)', { timeout: 60_000 }, async () => {
    const { checkout } = ready();
    const settings = { repositoryUrl: 'git@github.com:someone/fork-of-training.git', branch: 'for-a-class' };
    const markmaker = await runMarkmaker(checkout.slides, manifest, { REPOSITORY_URL: settings.repositoryUrl, BRANCH: settings.branch });
    const labdeck = await assembleWorkshop(loadWorkshop(join(checkout.slides, manifest)), settings);
    assert.ok(markmaker.markdown.includes('(https://github.com/someone/fork-of-training.git/tree/for-a-class/slides/logistics.md)'));
    assertSameText(labdeck.markdown, withoutBuildBanner(markmaker.markdown), `${manifest} with REPOSITORY_URL and BRANCH`);
  });

  test('outside a git checkout: file:// links to the manifest folder', { timeout: 60_000 }, async () => {
    const plain = await fixtureCheckout();
    checkouts.push(plain);
    const markmaker = await runMarkmaker(plain.slides, manifest);
    const labdeck = await assembleWorkshop(loadWorkshop(join(plain.slides, manifest)));
    assert.ok(markmaker.markdown.includes(`.debug[[logistics.md](file://${plain.slides}/logistics.md)]`));
    assertSameText(labdeck.markdown, withoutBuildBanner(markmaker.markdown), `${manifest} outside a checkout`);
  });
});

describe("markmaker.py's generated slides on a small deck", () => {
  test('one part of 12 titles (a tight list, "Table of contents", toc-part-1), a fragment, nested lists, a repeated title', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labdeck-markmaker-small-'));
    try {
      for (const file of ['markmaker.py', 'workshop.html', 'interstitials.txt']) await cp(join(fixtureDeckDir, 'markmaker', file), join(dir, file));
      const letters = 'ABCDEFGHIJ';
      for (const letter of letters) await writeFile(join(dir, `${letter}.md`), `# Chapter ${letter}\n\nText\n\n---\n\n## More of ${letter}\n`);
      await writeFile(join(dir, 'toc.md'), '## Contents\n\n@@TOC@@\n');
      await writeFile(join(dir, 'nested.md'), '# Nested one\n\n---\n\n# Chapter C\n');
      const manifestText = [
        'title: |',
        '  A small',
        '  deck',
        'content:',
        '- |',
        '  An inline fragment',
        '  ---',
        '  with two slides',
        '- toc.md',
        ...[...letters].map((letter, i) => `${i === 0 ? '- -' : '  -'} ${letter}.md`),
        '  - - nested.md',
        '',
      ].join('\n');
      await writeFile(join(dir, 'small.yml'), manifestText);
      const markmaker = await runMarkmaker(dir, 'small.yml');
      const toc = '## Table of contents\n\n- [Chapter A](#toc-chapter-a)\n- [Chapter B](#toc-chapter-b)\n';
      assert.ok(markmaker.markdown.includes(`name: toc-part-1\n\n${toc}`), markmaker.markdown.slice(0, 1000));
      const labdeck = await assembleWorkshop(loadWorkshop(join(dir, 'small.yml')));
      assertSameText(labdeck.markdown, withoutBuildBanner(markmaker.markdown), 'small.yml');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
