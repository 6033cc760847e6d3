import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkshop } from '../../src/config/workshop.ts';
import { assembleDeckSource } from '../../src/deck/manifest.ts';
import { decodeAsTextarea, parseSource } from '../../src/deck/split.ts';
import { buildSlideshow } from '../../src/deck/slideshow.ts';
import { formatDiagnostic, lintDeck } from '../../src/deck/lint.ts';
import { lintWorkshop } from '../../src/workshop/load-deck.ts';

const dir = 'test/fixtures/workshops/broken';
const disk = {
  read(path: string) {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  },
  exists(path: string) {
    return existsSync(path) && statSync(path).isFile();
  },
};

/** Lints a workshop the way the CLI does, chapters that are missing read as empty. */
function lintFixture(manifestPath: string, excludedClasses: string[] = []): string[] {
  const workshop = parseWorkshop(readFileSync(manifestPath, 'utf8'), manifestPath);
  const source = assembleDeckSource(workshop, { read: (path) => disk.read(path) ?? '' });
  const markdown = decodeAsTextarea(source.markdown);
  const model = buildSlideshow(parseSource(markdown), { excludedClasses, countIncrementalSlides: true });
  return lintDeck({ markdown, map: source.map, model, handsOnClasses: workshop.handsOn, manifest: workshop, files: disk }).map(formatDiagnostic);
}

const broken = lintFixture(`${dir}/workshop.yml`);

function expectOne(prefix: string, pattern: RegExp): void {
  const matching = broken.filter((line) => line.startsWith(prefix) && pattern.test(line));
  assert.equal(matching.length, 1, `${prefix} ${pattern} in:\n${broken.join('\n')}`);
}

test('every missing chapter file at once, at its manifest line', () => {
  expectOne(`${dir}/workshop.yml:4: `, /chapter file not found: missing-one\.md$/);
  expectOne(`${dir}/workshop.yml:6: `, /chapter file not found: missing-two\.md$/);
});

test('an unclosed content class, pointing at the stray bracket in code', () => {
  expectOne(`${dir}/lab.md:9: `, /"\.exercise\[" is never closed.*the "\[" at test\/fixtures\/workshops\/broken\/lab\.md:13 is likely the stray one/);
});

test('missing images, resolved against the chapter folder and the deck folder', () => {
  expectOne(`${dir}/intro.md:5: `, /image not found: images\/nowhere\.png/);
  assert.deepEqual(lintFixture('test/fixtures/workshops/basic/workshop.yml'), [], "the basic deck's ../images/logo.svg exists");
});

test('a first line swallowed as a property', () => {
  expectOne(`${dir}/intro.md:1: `, /"Note: this first line.*the property "Note" and does not show it/);
});

test('duplicate slide names', () => {
  expectOne(`${dir}/intro.md:16: `, /slide name "twice" is already used at test\/fixtures\/workshops\/broken\/intro\.md:10/);
});

test('links to unknown anchors; slide names, numbers and generated toc anchors are known', () => {
  expectOne(`${dir}/intro.md:7: `, /link to #nowhere: no shown slide/);
  assert.ok(!broken.some((line) => line.includes('#toc-lab') || line.includes('#2:')));
  // No @@TOC@@ in this deck: the generated title slides' "Back to table of contents" links lead nowhere.
  expectOne(`${dir}/workshop.yml:3: `, /link to #toc-part-1: .*put @@TOC@@ in a chapter/);
});

test('hands-on blocks without steps', () => {
  expectOne(`${dir}/lab.md:3: `, /hands-on block without steps/);
});

test('diagnostics are sorted by file and line, in file:line: message form', () => {
  assert.equal(broken.length, 10, broken.join('\n'));
  assert.ok(broken.every((line) => /^[^:]+:\d+: \S/.test(line)));
});

test('the sample workshop lints clean: no error, no warning (its pictures are all there)', () => {
  assert.deepEqual(lintWorkshop('workshop.yml').map(formatDiagnostic), []);
});

test("the deck's stylesheets: one the manifest names that is missing is an error, what of one is not applied a warning", () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-lint-style-'));
  try {
    writeFileSync(join(folder, 'a.md'), '# A\n');
    writeFileSync(join(folder, 'w.yml'), 'title: T\nstylesheet:\n- workshop.css\n- gone.css\ncontent: [a.md]\n');
    writeFileSync(join(folder, 'workshop.css'), 'h1 { color: red }\n@import url(https://cdn.example.org/theme.css);\n');
    assert.deepEqual(lintWorkshop(join(folder, 'w.yml')).map(formatDiagnostic), [
      `${join(folder, 'w.yml')}:4: stylesheet not found: gone.css`,
      `${join(folder, 'workshop.css')}:2: @import of https://cdn.example.org/theme.css not applied: the page fetches nothing from other sites (name the file under "stylesheet:" in workshop.yml instead)`,
    ]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
