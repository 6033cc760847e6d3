import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excludedClasses, lintWorkshop, listChapterFiles, loadDeck } from '../../src/workshop/load-deck.ts';
import { formatDiagnostic } from '../../src/deck/lint.ts';
import { LabdeckError } from '../../src/errors.ts';

const basic = 'test/fixtures/workshops/basic/workshop.yml';
const dir = 'test/fixtures/workshops/basic';

test("loadDeck: manifest → assembled source → slides and steps, with the workshop's exclude list", async () => {
  const { workshop, source, deck } = await loadDeck(basic);
  assert.equal(workshop.pageTitle, 'Basic Workshop');
  assert.ok(source.markdown.includes('Basic<br/>Workshop<br/>'));
  const names = deck.slides.map((slide) => slide.name ?? slide.classes.join(' '));
  assert.deepEqual(names, [
    'title',
    'toc-part-1',
    'toc-part-2',
    'pic',
    'toc-first-chapter',
    '', // # First chapter (the `extra` slide after it is excluded)
    '', // ## A lab
    'pic',
    'toc-second-chapter',
    '',
    'pic',
    'toc-inline-chapter',
    '',
  ]);
  assert.deepEqual(deck.slides[6]!.source, { file: `${dir}/part1/one.md`, line: 16 });
  assert.deepEqual(deck.slides[12]!.source, { file: basic, line: 17 }, 'an inline fragment maps to the manifest');
  assert.match(deck.slides[3]!.html, /https:\/\/img\.example\.com\/one\.jpg/);
  assert.match(deck.slides[9]!.html, /answer:.*42/, '@@INCLUDE inside a code block');
  assert.deepEqual(
    deck.steps.map((step) => [step.slide, step.text, step.commands, step.directives.map((d) => d.kind), `${step.source.file}:${step.source.line}`]),
    [
      [7, 'Run a container:', ['docker run hello-world'], ['wait'], `${dir}/part1/one.md:21`],
      [7, 'Look at the list', [], [], `${dir}/part1/one.md:28`],
    ],
  );
});

test('--exclude adds classes; --only shows the named filter classes and keeps hiding the others', async () => {
  assert.equal((await loadDeck(basic, { only: ['extra'] })).deck.slides.length, 14);
  assert.equal((await loadDeck(basic, { exclude: ['title'] })).deck.slides.length, 9, 'the title and the 3 generated title slides');
  const workshop = { exclude: ['self-paced', 'snap'] };
  assert.deepEqual(excludedClasses(workshop), ['self-paced', 'snap']);
  assert.deepEqual(excludedClasses(workshop, { only: ['snap'] }), ['self-paced']);
  assert.deepEqual(excludedClasses(workshop, { exclude: ['extra-details'], only: ['snap', 'in-person'] }), ['self-paced', 'extra-details']);
});

test('listChapterFiles: the chapter files the watcher should watch', async () => {
  const { workshop } = await loadDeck(basic);
  assert.deepEqual(listChapterFiles(workshop), [`${dir}/title.md`, `${dir}/part1/one.md`, `${dir}/part2/two.md`]);
});

test('lintWorkshop: everything at once, only an unreadable manifest throws', async () => {
  const diagnostics = lintWorkshop('test/fixtures/workshops/broken/workshop.yml').map(formatDiagnostic);
  assert.ok(diagnostics.includes('test/fixtures/workshops/broken/workshop.yml:4: chapter file not found: missing-one.md'));
  assert.ok(diagnostics.includes('test/fixtures/workshops/broken/workshop.yml:6: chapter file not found: missing-two.md'));
  assert.ok(diagnostics.some((line) => line.startsWith('test/fixtures/workshops/broken/lab.md:9: ".exercise[" is never closed')));
  assert.deepEqual(lintWorkshop(basic), []);
  assert.throws(() => lintWorkshop('test/fixtures/workshops/none.yml'), LabdeckError);
  await assert.rejects(loadDeck('test/fixtures/workshops/broken/workshop.yml'), /workshop\.yml:4: chapter file not found: missing-one\.md/);
});
