// labdeck's deck engine against the real remark.js 0.14.1 (container.training fork) in Chromium, slide by slide:
// real chapters, the seed, a whole workshop with its exclude list, and one small case file per rule of the spec.
// See docs/conformance.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadWorkshop } from '../../src/config/workshop.ts';
import { renderMarkdownDeck } from '../../src/deck/render-deck.ts';
import { assembleDeckSource } from '../../src/deck/manifest.ts';
import { diskFiles } from '../../src/workshop/load-deck.ts';
import { compareSlideLists, describeDifferences, percent, type DeckComparison } from './compare.ts';
import { RemarkReference, type ReferenceSlide } from './reference.ts';

const here = import.meta.dirname;
const fixtures = resolve(here, '../fixtures');
const casesDir = join(here, 'cases');

/** Every case file runs with this exclude list (cases/README.md); `prom` shows the fork's `", "` split. */
const caseExcludedClasses = ['excluded', 'prom'];

/**
 * Case files where labdeck differs from remark.js on purpose. Each must still have remark.js's slide count, and must
 * still differ (an entry that became equal is stale and fails). Keep in sync with docs/conformance.md.
 */
const deliberateDifferences: Record<string, string> = {
  'raw-html-unsafe.md':
    'labdeck sanitizes slide HTML (remark-html with an extended schema): <script> and <iframe> are dropped, ' + 'remark.js passes raw HTML through untouched',
};

interface ConformanceDeck {
  readonly group: string;
  readonly name: string;
  readonly markdown: string;
  readonly excludedClasses: readonly string[];
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const chapters: ConformanceDeck[] = markdownFiles(join(fixtures, 'container-training'))
  .filter((path) => !path.endsWith('NOTICE.md'))
  .map((path) => ({
    group: 'container-training chapters',
    name: relative(fixtures, path),
    markdown: readFileSync(path, 'utf8'),
    excludedClasses: [],
  }));

const seedMarkdown = readFileSync(join(fixtures, 'seed/netshoot.md'), 'utf8');
// Every slide of the seed chapter carries `netshoot`, so excluding it leaves nothing to compare; `in-person`
// drops one slide in the middle of an increment chain instead.
const seed: ConformanceDeck[] = [[], ['extra-details'], ['in-person']].map((excludedClasses) => ({
  group: 'seed netshoot.md',
  name: `excluding [${excludedClasses.join(', ')}]`,
  markdown: seedMarkdown,
  excludedClasses,
}));

const workshopPath = join(fixtures, 'container-training/swarm-halfday.yml');
const workshop = loadWorkshop(workshopPath);
const wholeDeck: ConformanceDeck = {
  group: 'swarm-halfday.yml (whole deck)',
  name: `assembled, excluding [${workshop.exclude.join(', ')}]`,
  markdown: assembleDeckSource(workshop, diskFiles).markdown,
  excludedClasses: workshop.exclude,
};

const cases: ConformanceDeck[] = readdirSync(casesDir)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .sort()
  .map((name) => ({
    group: 'case files',
    name,
    markdown: readFileSync(join(casesDir, name), 'utf8'),
    excludedClasses: caseExcludedClasses,
  }));

const allDecks = [...chapters, ...seed, wholeDeck, ...cases];

let reference: RemarkReference | undefined;
let referenceSeconds = 0;
const referenceSlides = new Map<ConformanceDeck, ReferenceSlide[]>();
const results: Array<{ deck: ConformanceDeck; comparison: DeckComparison }> = [];

before(async () => {
  const started = performance.now();
  reference = await RemarkReference.start();
  const rendered = await reference.renderAll(allDecks.map((deck) => ({ markdown: deck.markdown, options: { excludedClasses: deck.excludedClasses } })));
  allDecks.forEach((deck, index) => {
    const slides = rendered[index];
    if (!slides) throw new Error(`the reference rendered no slides for deck ${index}`);
    referenceSlides.set(deck, slides);
  });
  referenceSeconds = (performance.now() - started) / 1000;
});

after(async () => {
  printSummary();
  await reference?.dispose();
});

/** Renders with labdeck under the same options container.training gives remark.js, and compares. */
function compareDeck(deck: ConformanceDeck): DeckComparison {
  const expected = referenceSlides.get(deck);
  assert.ok(expected, `no reference rendering for ${deck.name}`);
  let comparison: DeckComparison;
  try {
    const { slides } = renderMarkdownDeck(deck.markdown, {
      excludedClasses: deck.excludedClasses,
      highlightSpans: true,
      slideNumberFormat: '%current%/%total%',
      decodeAsTextarea: true,
    });
    comparison = compareSlideLists(expected, slides);
  } catch (error) {
    comparison = compareSlideLists(expected, []);
    results.push({ deck, comparison });
    throw error;
  }
  results.push({ deck, comparison });
  return comparison;
}

function assertAllEqual(deck: ConformanceDeck): void {
  const comparison = compareDeck(deck);
  assert.ok(comparison.total > 0, `${deck.name}: remark.js shows no slide`);
  assert.equal(comparison.equal, comparison.total, `${deck.group} ${deck.name}\n${describeDifferences(comparison)}`);
}

describe('labdeck renders real decks exactly as remark.js 0.14.1 (fork) does', () => {
  for (const deck of [...chapters, ...seed, wholeDeck]) {
    test(`${deck.group}: ${deck.name}`, () => assertAllEqual(deck));
  }
});

describe('labdeck follows each rule of the spec as remark.js 0.14.1 (fork) does', () => {
  for (const deck of cases) {
    const reason = deliberateDifferences[deck.name];
    if (reason === undefined) {
      test(`case ${deck.name}`, () => assertAllEqual(deck));
      continue;
    }
    test(`case ${deck.name} (deliberate difference: ${reason})`, () => {
      const comparison = compareDeck(deck);
      assert.equal(comparison.actualCount, comparison.expectedCount, describeDifferences(comparison));
      assert.ok(comparison.equal < comparison.total, `${deck.name} now renders as remark.js does: remove it from deliberateDifferences and docs/conformance.md`);
    });
  }
  test('every deliberate difference names an existing case file', () => {
    const names = new Set(cases.map((deck) => deck.name));
    for (const name of Object.keys(deliberateDifferences)) assert.ok(names.has(name), `unknown case ${name}`);
  });
});

function printSummary(): void {
  const rows: string[][] = [['group', 'decks', 'equal slides', 'percent']];
  const groups = [...new Set(allDecks.map((deck) => deck.group))];
  const add = (label: string, selected: typeof results) => {
    const equal = selected.reduce((sum, { comparison }) => sum + comparison.equal, 0);
    const total = selected.reduce((sum, { comparison }) => sum + comparison.total, 0);
    rows.push([label, String(selected.length), `${equal}/${total}`, percent(equal, total)]);
  };
  for (const group of groups)
    add(
      group,
      results.filter(({ deck }) => deck.group === group),
    );
  add('overall', results);
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const origin =
    `reference: ${reference?.browserRenders ?? 0} of ${allDecks.length} decks rendered in Chromium, ` +
    `the rest from .cache/remark-ref/results (${referenceSeconds.toFixed(1)} s)`;
  console.log(['', 'conformance with remark.js 0.14.1 (container.training fork):', ...rows.map(line), origin, ''].join('\n'));
}
