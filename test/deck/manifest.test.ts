import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadWorkshop, parseWorkshop } from '../../src/config/workshop.ts';
import { assembleDeckSource, resolvePath, titleAnchor, type DeckFiles } from '../../src/deck/manifest.ts';
import { locate, type SourceMap } from '../../src/deck/source-map.ts';
import { LabdeckError } from '../../src/errors.ts';
import { assertGolden } from '../support/golden.ts';

const disk: DeckFiles = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

function memory(files: Record<string, string>): DeckFiles {
  return { read: (path) => files[path] };
}

/** The assembled line `n` (1-based) and where the map says it came from. */
function lineAt(markdown: string, map: SourceMap, n: number): { text: string; file: string; line: number } {
  return { text: markdown.split('\n')[n - 1]!, ...locate(map, n) };
}

const swarmManifest = 'test/fixtures/container-training/swarm-halfday.yml';
const swarm = assembleDeckSource(loadWorkshop(swarmManifest), disk);
const swarmDir = 'test/fixtures/container-training';

test('swarm-halfday assembles byte for byte as markmaker.py does', () => {
  // The golden is markmaker.py's markdown (container.training, 2021) for this fixture with labdeck's built-in
  // interstitial URL, without the commit banner and with `.debug[path]` footers that link nowhere (no git checkout
  // given). test/conformance/markmaker.test.ts proves the same assembly, links included, against the real
  // markmaker.py. The golden lives beside the chapters it is made of, under their NOTICE.md.
  assertGolden(swarm.markdown, `${swarmDir}/swarm-halfday.assembled.txt`, process.env.UPDATE === '1');
});

test('swarm-halfday: chapters joined by ---, each slide ending with its .debug footer', () => {
  const text = swarm.markdown;
  assert.ok(text.startsWith('class: title, self-paced\n\n'));
  assert.ok(text.includes('.debug[shared/title.md]\n---\n## Introductions'), 'chapter boundary');
  assert.equal(
    text.split('\n.debug[swarm/firstservice.md]\n---\n').length - 1,
    (readFileSync(`${swarmDir}/swarm/firstservice.md`, 'utf8').match(/\n---\n/g) ?? []).length + 1,
    'one footer per separator, and the last one before the next chapter',
  );
  assert.ok(text.endsWith('.debug[swarm/links.md]'));
});

test('swarm-halfday: one TOC slide per part, listing the H1 titles of that part', () => {
  const tocStart = swarm.markdown.indexOf('name: toc-part-1');
  const toc = swarm.markdown.slice(tocStart, swarm.markdown.indexOf('\n\n.debug[shared/toc.md]', tocStart));
  const parts = toc.split('\n---\n');
  assert.equal(parts.length, 3);
  assert.ok(
    parts[0]!.startsWith('name: toc-part-1\n\n## Part 1\n\n- [Pre-requirements](#toc-pre-requirements)\n\n- [Our sample application](#toc-our-sample-application)\n\n'),
  );
  assert.ok(parts[1]!.startsWith('name: toc-part-2\n\n## Part 2\n\n- [Running our first Swarm service](#toc-running-our-first-swarm-service)'));
  assert.ok(parts[2]!.includes('- [CI/CD for Docker and orchestration](#toc-cicd-for-docker-and-orchestration)') === false, 'cicd is in part 2');
  assert.ok(parts[1]!.includes('- [CI/CD for Docker and orchestration](#toc-cicd-for-docker-and-orchestration)'));
  assert.ok(parts[2]!.trimEnd().endsWith('- [Links and resources](#toc-links-and-resources)\n\n\n.debug[(auto-generated TOC)]'));
  assert.equal((toc.match(/^- \[/gm) ?? []).length, 18);
});

test('swarm-halfday: an interstitial and a title slide before every H1', () => {
  const titles = [...swarm.markdown.matchAll(/^name: (toc-[a-z-]+)\nclass: title\n\n (.*)$/gm)];
  assert.equal(titles.length, 18);
  assert.equal(titles[0]![1], 'toc-pre-requirements');
  const block =
    '\n---\n\nclass: pic\n\n.interstitial[![Image separating from the next part](/_labdeck/interstitial.svg)]\n\n---\n\n' +
    'name: toc-swarm-mode\nclass: title\n\n Swarm mode\n\n.nav[\n[Previous part](#toc-declarative-vs-imperative)\n|\n' +
    '[Back to table of contents](#toc-part-1)\n|\n[Next part](#toc-creating-our-first-swarm)\n]\n\n' +
    '.debug[(automatically generated title slide)]\n\n---\n# Swarm mode\n';
  assert.ok(swarm.markdown.includes(block));
  // The title inside a chapter (logging.md has two): the slide goes at the separator before the second title.
  assert.ok(swarm.markdown.includes('[Back to table of contents](#toc-part-3)\n|\n[Next part](#toc-metrics-collection)'));
  assert.ok(swarm.markdown.includes('[Next part](#toc-)\n]'), 'the last title has an empty next anchor');
});

test('swarm-halfday: placeholders replaced', () => {
  for (const placeholder of ['@@TITLE@@', '@@CHAT@@', '@@GITREPO@@', '@@SLIDES@@', '@@ZIP@@', '@@HTML@@', '@@TOC@@']) {
    assert.ok(!swarm.markdown.includes(placeholder), placeholder);
  }
  assert.ok(swarm.markdown.includes('\nContainer Orchestration<br/>with Docker and Swarm<br/>\n'));
  assert.ok(swarm.markdown.includes('git clone https://github.com/jpetazzo/container.training\n'));
  assert.ok(swarm.markdown.includes('http://container.training/slides.zip'));
  assert.ok(swarm.markdown.includes('(then open the file `swarm-halfday.yml.html`)'));
});

test('swarm-halfday: the source map points every line into its chapter file, generated lines into the manifest', () => {
  const { markdown, map } = swarm;
  const lines = markdown.split('\n');
  const check = (needle: string, file: string, line: number) => {
    const index = lines.indexOf(needle);
    assert.ok(index >= 0, needle);
    assert.deepEqual(locate(map, index + 1), { file: `${swarmDir}/${file}`, line }, needle);
  };
  check('## Introductions', 'logistics.md', 1);
  check('# Swarm mode', 'swarm/swarmmode.md', 1);
  check('# Setting up ELK to store container logs', 'swarm/logging.md', 19);
  check('## Terminate our services', 'swarm/firstservice.md', 506);
  check(' Swarm mode', 'swarm-halfday.yml', 41); // generated title slide → the manifest entry of swarmmode.md
  check('## Part 2', 'swarm-halfday.yml', 23); // the TOC → the manifest's content list
  // Every line that did not come from the manifest has the same text in its file.
  const cache = new Map<string, string[]>();
  lines.forEach((text, i) => {
    const { file, line } = locate(map, i + 1);
    if (file.endsWith('.yml') || text.startsWith('.debug[')) return;
    if (!cache.has(file)) cache.set(file, readFileSync(file, 'utf8').split('\n'));
    const original = cache.get(file)![line - 1]!;
    if (!original.includes('@@')) assert.equal(text, original, `${file}:${line}`);
  });
});

test('one part: "Table of contents" slide toc-part-1, and interstitials cycling through interstitials.txt', () => {
  const workshop = parseWorkshop('title: T\ncontent:\n- toc.md\n- - a.md\n  - b.md\n', 'deck/w.yml');
  const { markdown } = assembleDeckSource(
    workshop,
    memory({
      'deck/toc.md': '@@TOC@@\n',
      'deck/a.md': '# Alpha 1\n\ntext\n---\n# Beta\n',
      'deck/b.md': '# Gamma\n',
      'deck/interstitials.txt': ' one.png \n\ntwo.png\n',
    }),
  );
  assert.ok(
    markdown.startsWith(
      'name: toc-part-1\n\n## Table of contents\n\n- [Alpha 1](#toc-alpha-)\n\n- [Beta](#toc-beta)\n\n- [Gamma](#toc-gamma)\n\n\n.debug[(auto-generated TOC)]\n',
    ),
  );
  assert.deepEqual(
    [...markdown.matchAll(/\.interstitial\[!\[[^\]]*\]\(([^)]*)\)\]/g)].map((m) => m[1]),
    ['one.png', 'two.png', 'one.png'],
  );
  assert.ok(markdown.includes('[Back to table of contents](#toc-part-1)'));
  assert.equal(titleAnchor('k9s: Kubernetes CLI'), 'toc-ks-kubernetes-cli');
});

test('a part of 10 titles or more is a tight list, as markmaker.py writes it', () => {
  const letters = [...'ABCDEFGHIJ'];
  const workshop = parseWorkshop(`title: T\ncontent:\n- toc.md\n- ${letters.map((letter) => `- ${letter}.md`).join('\n  ')}\n`, 'w.yml');
  const files = Object.fromEntries([['toc.md', '@@TOC@@\n'], ...letters.map((letter) => [`${letter}.md`, `# ${letter}\n`])]);
  const { markdown } = assembleDeckSource(workshop, memory(files));
  assert.ok(markdown.startsWith(`name: toc-part-1\n\n## Table of contents\n\n${letters.map((l) => `- [${l}](#toc-${l.toLowerCase()})\n`).join('')}\n.debug[`));
});

test('footers link to their source file when the context gives where (markmaker.py in a git checkout)', () => {
  const workshop = parseWorkshop('title: T\ngenerated: {titleSlides: false, interstitials: false}\ncontent:\n- sub/a.md\n- |\n  inline\n  text\n', 'deck/w.yml');
  const files = memory({ 'deck/sub/a.md': 'A\n---\nB\n' });
  const prefix = 'https://github.com/o/r.git/tree/main/slides/';
  assert.equal(
    assembleDeckSource(workshop, files, { sourceLinkPrefix: prefix }).markdown,
    `A\n.debug[[sub/a.md](${prefix}sub/a.md)]\n---\nB\n\n.debug[[sub/a.md](${prefix}sub/a.md)]\n---\ninline\ntext\n\n.debug[[w.yml](${prefix}w.yml)]`,
  );
  assert.equal(assembleDeckSource(workshop, files).markdown, 'A\n.debug[sub/a.md]\n---\nB\n\n.debug[sub/a.md]\n---\ninline\ntext\n\n.debug[w.yml]');
});

test('@@INCLUDE reads beside the manifest, then in its parent; @@LINK links into gitrepo', () => {
  const workshop = parseWorkshop('title: T\ngitrepo: github.com/x/y\ngenerated: false\ncontent:\n- a.md\n', 'slides/w.yml');
  const { markdown, map } = assembleDeckSource(
    workshop,
    memory({
      'slides/a.md': 'before\n@@INCLUDE[local.txt]\nmiddle @@INCLUDE[k8s/x.yaml] after\n@@LINK[k8s/x.yaml]\n',
      'slides/local.txt': 'local\n',
      'k8s/x.yaml': 'kind: Pod\nmetadata: {}\n',
    }),
  );
  assert.equal(markdown, 'before\nlocal\n\nmiddle kind: Pod\nmetadata: {}\n after\n[k8s/x.yaml](https://github.com/x/y/tree/main/k8s/x.yaml)\n');
  assert.deepEqual(lineAt(markdown, map, 2), { text: 'local', file: 'slides/local.txt', line: 1 });
  assert.deepEqual(lineAt(markdown, map, 5), { text: 'metadata: {}', file: 'k8s/x.yaml', line: 2 });
  assert.deepEqual(lineAt(markdown, map, 7), { text: '[k8s/x.yaml](https://github.com/x/y/tree/main/k8s/x.yaml)', file: 'slides/a.md', line: 4 });
});

test('a missing @@INCLUDE file or chapter file is an error at its file:line', () => {
  const workshop = parseWorkshop('title: T\ncontent:\n- a.md\n- b.md\n', 'w.yml');
  assert.throws(
    () => assembleDeckSource(workshop, memory({ 'a.md': 'one\n\n@@INCLUDE[gone.yaml]\n', 'b.md': 'b\n' })),
    (error: unknown) => error instanceof LabdeckError && error.message.startsWith('a.md:3: @@INCLUDE[gone.yaml]: file not found'),
  );
  assert.throws(
    () => assembleDeckSource(workshop, memory({ 'a.md': 'a\n' })),
    (error: unknown) => error instanceof LabdeckError && error.message.startsWith('w.yml:4: chapter file not found: b.md'),
  );
});

test('inline fragments map to the manifest; generated pieces can be turned off', () => {
  const workshop = parseWorkshop('title: T\ngenerated:\n  titleSlides: false\ncontent:\n- |\n  # Hello\n  ---\n  Bye\n', 'w.yml');
  const { markdown, map } = assembleDeckSource(workshop, memory({}));
  assert.equal(markdown, '# Hello\n.debug[w.yml]\n---\nBye\n\n.debug[w.yml]', 'no separator before the first title: nothing to insert at, and no title slide');
  assert.deepEqual(lineAt(markdown, map, 4), { text: 'Bye', file: 'w.yml', line: 8 });
  const withoutFooters = parseWorkshop('title: T\ngenerated: {debugFooters: false, interstitials: false}\ncontent: [a.md, b.md]\n', 'w.yml');
  const assembled = assembleDeckSource(withoutFooters, memory({ 'a.md': 'A\n', 'b.md': '# B\n' })).markdown;
  assert.ok(!assembled.includes('.debug['));
  assert.ok(!assembled.includes('class: pic'));
  assert.ok(assembled.includes('name: toc-b\nclass: title'));
});

test('resolvePath folds . and .. like a POSIX path', () => {
  assert.equal(resolvePath('slides', '../k8s/x.yaml'), 'k8s/x.yaml');
  assert.equal(resolvePath('.', 'a/./b.md'), 'a/b.md');
  assert.equal(resolvePath('/w/slides', '../../x'), '/x');
  assert.equal(resolvePath('a', '/abs'), '/abs');
  assert.equal(resolvePath('.', '..'), '..');
});

/** A workshop of `slides` slides in chapters of 20, each chapter starting with an H1 (a generated title slide each). */
function generatedWorkshop(slides: number): { manifest: ReturnType<typeof parseWorkshop>; files: DeckFiles } {
  const files: Record<string, string> = {};
  const chapters: string[] = [];
  for (let c = 0; c < slides / 20; c++) {
    const body = Array.from({ length: 20 }, (_, s) => `${s === 0 ? `# Chapter ${c}` : `## Slide ${s}`}\n\n- about @@TITLE@@\n`);
    files[`w/c${c}.md`] = body.join('\n---\n\n');
    chapters.push(`- c${c}.md`);
  }
  return { manifest: parseWorkshop(`title: Big\ncontent:\n- |\n  @@TOC@@\n${chapters.join('\n')}\n`, 'w/workshop.yml'), files: memory(files) };
}

/**
 * The work assembly does, as characters scanned by indexOf/lastIndexOf and array elements copied by slice/push:
 * the operations any text splicing is made of, counted without timing so that a loaded machine cannot sway it.
 */
function assemblyWork(slides: number): number {
  const { manifest, files } = generatedWorkshop(slides);
  let work = 0;
  const indexOf = String.prototype.indexOf;
  const lastIndexOf = String.prototype.lastIndexOf;
  const arraySlice = Array.prototype.slice;
  const push = Array.prototype.push;
  String.prototype.indexOf = function (this: string, needle: string, from = 0) {
    const at = indexOf.call(this, needle, from);
    work += (at < 0 ? this.length : at) - Math.max(0, from);
    return at;
  };
  String.prototype.lastIndexOf = function (this: string, needle: string, from = Infinity) {
    const at = lastIndexOf.call(this, needle, from);
    work += Math.min(this.length, from) - Math.max(0, at);
    return at;
  };
  Array.prototype.slice = function (this: unknown[], start?: number, end?: number) {
    const copy = arraySlice.call(this, start, end);
    work += copy.length;
    return copy;
  };
  Array.prototype.push = function (this: unknown[], ...items: unknown[]) {
    work += items.length;
    return push.apply(this, items);
  };
  try {
    assembleDeckSource(manifest, files);
  } finally {
    String.prototype.indexOf = indexOf;
    String.prototype.lastIndexOf = lastIndexOf;
    Array.prototype.slice = arraySlice;
    Array.prototype.push = push;
  }
  return work;
}

test('assembly work grows linearly with the number of slides (4× the slides: about 4× the work, not 16×)', { timeout: 120_000 }, () => {
  const small = assemblyWork(500);
  const large = assemblyWork(2000);
  assert.ok(large / small < 6, `500 slides: ${small} operations; 2,000 slides: ${large} (${(large / small).toFixed(1)}×)`);
});
