import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deckStylesheets, loadWorkshop, parseWorkshop } from '../../src/config/workshop.ts';
import { LabdeckError } from '../../src/errors.ts';

const fixtures = 'test/fixtures';

function errorOf(action: () => unknown): LabdeckError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof LabdeckError, `expected a LabdeckError, got ${error}`);
    return error;
  }
  assert.fail('expected an error');
}

test('a container.training manifest loads with its keys, defaults and parts', () => {
  const workshop = loadWorkshop(`${fixtures}/container-training/swarm-halfday.yml`);
  assert.equal(workshop.title, 'Container Orchestration\nwith Docker and Swarm\n');
  assert.equal(workshop.pageTitle, 'Container Orchestration with Docker and Swarm');
  assert.equal(workshop.gitrepo, 'github.com/jpetazzo/container.training');
  assert.equal(workshop.zip, 'http://container.training/slides.zip');
  assert.equal(workshop.html, 'swarm-halfday.yml.html');
  assert.equal(workshop.slidenumberprefix, '');
  assert.deepEqual(workshop.exclude, ['self-paced', 'snap', 'btp-manual', 'benchmarking', 'elk-manual', 'prom-manual']);
  assert.deepEqual(workshop.handsOn, ['exercise', 'lab']);
  assert.equal(workshop.ratio, '16:9');
  assert.deepEqual(workshop.generated, { toc: true, titleSlides: true, interstitials: true, debugFooters: true });
  assert.equal(workshop.content.length, 9);
  assert.deepEqual(workshop.content[0], { kind: 'chapter', path: 'shared/title.md', location: { file: `${fixtures}/container-training/swarm-halfday.yml`, line: 23 } });
  const part = workshop.content[6]!;
  assert.equal(part.kind, 'group');
  assert.equal(part.kind === 'group' && part.entries.length, 12);
  assert.ok(Object.isFrozen(workshop) && Object.isFrozen(workshop.content) && Object.isFrozen(workshop.content[0]));
});

test('labdeck keys: handsOn, ratio, generated and the reserved keys', () => {
  const workshop = parseWorkshop(
    ['title: T', 'handsOn: [lab]', 'ratio: "4:3"', 'generated:', '  interstitials: false', 'terminals:', '  shell: bash', 'chapters:', '- a.md'].join('\n'),
    'w.yml',
  );
  assert.deepEqual(workshop.handsOn, ['lab']);
  assert.equal(workshop.ratio, '4:3');
  assert.deepEqual(workshop.generated, { toc: true, titleSlides: true, interstitials: false, debugFooters: true });
  assert.deepEqual(workshop.reserved.terminals, { value: { shell: 'bash' }, location: { file: 'w.yml', line: 7 } });
  assert.equal(workshop.content[0]!.kind, 'chapter');
  assert.equal(workshop.zip, undefined);
  assert.deepEqual(parseWorkshop('title: T\ngenerated: false\ncontent: [a.md]', 'w.yml').generated, {
    toc: false,
    titleSlides: false,
    interstitials: false,
    debugFooters: false,
  });
});

test('a multi-line entry is an inline fragment located at its first text line', () => {
  const workshop = parseWorkshop('title: T\ncontent:\n- a.md\n- |\n  # Inline\n  text\n', 'w.yml');
  assert.deepEqual(workshop.content[1], { kind: 'fragment', markdown: '# Inline\ntext\n', location: { file: 'w.yml', line: 5 } });
});

test('mistakes are reported at the line of the offending YAML node', () => {
  const cases: [string, string, RegExp][] = [
    ['title: T\ncontent: [a.md]\ntheme: dark\n', 'w.yml:3: ', /unknown key "theme"/],
    ['title: T\nchat:\n  - a\ncontent: [a.md]\n', 'w.yml:3: ', /"chat" must be a string/],
    ['title: T\nexclude: extra\ncontent: [a.md]\n', 'w.yml:2: ', /"exclude" must be a list/],
    ['title: T\nexclude:\n- ok\n- "not a class"\ncontent: [a.md]\n', 'w.yml:4: ', /class names/],
    ['title: T\ncontent:\n- a.md\n- 42\n', 'w.yml:4: ', /content entry/],
    ['title: T\ncontent: a.md\n', 'w.yml:2: ', /"content" must be a list/],
    ['title: T\ncontent: [a.md]\nchapters: [b.md]\n', 'w.yml:3: ', /synonyms/],
    ['title: T\n', 'w.yml:1: ', /missing "content"/],
    ['content: [a.md]\n', 'w.yml:1: ', /missing "title"/],
    ['title: T\nratio: 3:2\ncontent: [a.md]\n', 'w.yml:2: ', /"ratio" must be '16:9' or '4:3'/],
    ['title: T\ngenerated:\n  toc: yes please\ncontent: [a.md]\n', 'w.yml:3: ', /"generated.toc" must be true or false/],
    ['title: T\ngenerated:\n  tocs: false\ncontent: [a.md]\n', 'w.yml:3: ', /unknown key "tocs" in "generated"/],
    ['title: T\nhandsOn: []\ncontent: [a.md]\n', 'w.yml:2: ', /at least one class/],
    ['- a\n- b\n', 'w.yml:1: ', /must be a mapping/],
  ];
  for (const [yaml, prefix, message] of cases) {
    const error = errorOf(() => parseWorkshop(yaml, 'w.yml'));
    assert.ok(error.message.startsWith(prefix), `${JSON.stringify(yaml)} → ${error.message}`);
    assert.match(error.message, message);
  }
});

test("malformed YAML is reported as file:line: with yaml's own message", () => {
  const error = errorOf(() => parseWorkshop('title: T\ncontent:\n- a.md\n  - b: [\n', 'w.yml'));
  assert.match(error.message, /^w\.yml:[34]: \S/);
  assert.equal(error.location?.file, 'w.yml');
  const duplicate = errorOf(() => parseWorkshop('title: T\ntitle: U\ncontent: [a.md]\n', 'w.yml'));
  assert.match(duplicate.message, /^w\.yml:2: Map keys must be unique/);
});

test('a missing chapter file is an error at its manifest line', () => {
  const error = errorOf(() => loadWorkshop(`${fixtures}/workshops/broken/workshop.yml`));
  assert.equal(error.message, `${fixtures}/workshops/broken/workshop.yml:4: chapter file not found: missing-one.md`);
  assert.match(errorOf(() => loadWorkshop(`${fixtures}/workshops/nowhere.yml`)).message, /cannot read workshop manifest/);
});

test('stylesheet: one file or a list, located; none when the key is absent and no workshop.css is beside the manifest', () => {
  const one = parseWorkshop('title: T\nstylesheet: look.css\ncontent: [a.md]\n', 'w.yml');
  assert.deepEqual(
    deckStylesheets(one, () => true),
    [{ path: 'look.css', location: { file: 'w.yml', line: 2 } }],
  );
  const list = parseWorkshop('title: T\nstylesheet:\n- a.css\n- css/b.css\ncontent: [a.md]\n', 'dir/w.yml');
  assert.deepEqual(
    deckStylesheets(list, () => true).map((entry) => `${entry.path}@${entry.location.line}`),
    ['a.css@3', 'css/b.css@4'],
  );
  const implicit = parseWorkshop('title: T\ncontent: [a.md]\n', 'dir/w.yml');
  assert.deepEqual(
    deckStylesheets(implicit, (path) => path === 'dir/workshop.css'),
    [{ path: 'workshop.css', location: { file: 'dir/w.yml', line: 1 } }],
  );
  assert.deepEqual(
    deckStylesheets(implicit, () => false),
    [],
  );
  // An empty list says "none": a workshop.css beside the manifest is then not applied.
  assert.deepEqual(
    deckStylesheets(parseWorkshop('title: T\nstylesheet: []\ncontent: [a.md]\n', 'w.yml'), () => true),
    [],
  );
  const wrong = errorOf(() => parseWorkshop('title: T\nstylesheet:\n- a.css\n- 3\ncontent: [a.md]\n', 'w.yml'));
  assert.equal(wrong.message, 'w.yml:4: "stylesheet" entries must be paths of CSS files');
  assert.equal(
    errorOf(() => parseWorkshop('title: T\nstylesheet: {a: 1}\ncontent: [a.md]\n', 'w.yml')).message,
    'w.yml:2: "stylesheet" must be a path of a CSS file or a list of them',
  );
});

test('a stylesheet the manifest names that does not exist is an error at its line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labdeck-style-'));
  try {
    writeFileSync(join(dir, 'a.md'), '# A\n');
    writeFileSync(join(dir, 'w.yml'), 'title: T\nstylesheet:\n- look.css\ncontent: [a.md]\n');
    assert.equal(errorOf(() => loadWorkshop(join(dir, 'w.yml'))).message, `${join(dir, 'w.yml')}:3: stylesheet not found: look.css`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
