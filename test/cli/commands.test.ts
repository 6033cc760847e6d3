// The commands on real workshops: the sample at the repository root, `labdeck init`'s skeleton, broken decks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pageDataElementId, type PageData, type SlideJson } from '../../src/protocol.ts';
import { repoRoot, runLabdeck } from './run-cli.ts';
import { waitFor } from '../support/wait.ts';

let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-cli-'));
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function slidesOf(argv: string[], cwd = repoRoot): Promise<SlideJson[]> {
  const run = await runLabdeck(['slides', ...argv, '--json'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as SlideJson[];
}

test('slides --json prints the sample workshop with index, number, name, classes, notes and html', async () => {
  const slides = await slidesOf([]);
  assert.ok(slides.length > 20);
  slides.forEach((slide, i) => {
    assert.equal(slide.index, i + 1);
    assert.equal(typeof slide.number, 'number');
    assert.ok(slide.name === null || typeof slide.name === 'string');
    assert.ok(Array.isArray(slide.classes));
    assert.equal(typeof slide.notes, 'string');
    assert.equal(typeof slide.html, 'string');
  });
  assert.deepEqual(slides[0]!.classes, ['title']);
  assert.match(slides[0]!.html, /Troubleshooting<br>Docker Swarm networks/);
  assert.equal(slides[1]!.name, 'intro');
  assert.ok(
    slides.some((slide) => slide.name === 'toc-part-1' || /Table of contents/.test(slide.html)),
    'the @@TOC@@ chapter',
  );
  assert.ok(slides.some((slide) => slide.classes.includes('netshoot') && /Breaking into an overlay network/.test(slide.html)));
  assert.match(slides.at(-1)!.html, /Cleaning up/);
});

test('--exclude leaves slides of a class out (and the workshop path is the default workshop.yml)', async () => {
  const all = await slidesOf([]);
  const short = await slidesOf(['--exclude', 'extra-details']);
  assert.ok(short.length < all.length);
  assert.ok(short.every((slide) => !slide.classes.includes('extra-details')));
  assert.deepEqual(await slidesOf(['workshop.yml']), all);
});

test('lint passes on the sample workshop', async () => {
  const run = await runLabdeck(['lint']);
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stderr, /^0 errors/);
});

test('a deck with an error: lint and slides exit 1 with file:line: message', async () => {
  const dir = join(scratch, 'broken');
  await mkdir(join(dir, 'slides'), { recursive: true });
  await writeFile(join(dir, 'workshop.yml'), 'title: Broken\ncontent:\n- slides/here.md\n- slides/missing.md\n');
  await writeFile(join(dir, 'slides', 'here.md'), '# Here\n\n.exercise[\n\n- Run it\n');
  const lint = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(lint.code, 1);
  assert.match(lint.stdout, /^workshop\.yml:4: .*missing\.md/m);
  assert.match(lint.stdout, /^slides\/here\.md:3: /m);
  const slides = await runLabdeck(['slides', '--json'], { cwd: dir });
  assert.equal(slides.code, 1);
  assert.match(slides.stderr, /^workshop\.yml:4: chapter file not found: slides\/missing\.md/);
  assert.equal(slides.stdout, '');
  const missing = await runLabdeck(['lint', 'nowhere.yml'], { cwd: dir });
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /nowhere\.yml/);
});

test('a check spec with problems: lint reports them as file:line errors, sorted with the deck diagnostics, and exits 1', async () => {
  const dir = join(scratch, 'broken-spec');
  await mkdir(join(dir, 'slides'), { recursive: true });
  await mkdir(join(dir, 'exercises'));
  await writeFile(join(dir, 'workshop.yml'), 'title: Specs\ncontent:\n- slides/a.md\n');
  await writeFile(
    join(dir, 'slides', 'a.md'),
    'name: one\n\n# One\n\n.exercise[\n\n- List the containers:\n  ```bash\n  docker ps\n  ```\n\n]\n\n![a picture](nowhere.png)\n',
  );
  await writeFile(join(dir, 'exercises', 'a.yml'), 'steps:\n  - slide: nowhere\n    check:\n      ran: x\n  - slide: one\n    check:\n      bogus: 1\n');
  const lint = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(lint.code, 1, lint.stdout);
  const lines = lint.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.map((line) => line.slice(0, line.indexOf(': '))),
    ['exercises/a.yml:2', 'exercises/a.yml:7', 'slides/a.md:14', 'workshop.yml:3'],
    lint.stdout,
  );
  assert.equal(lines[0], 'exercises/a.yml:2: no slide named `nowhere` (nor steps whose id starts with `nowhere.`)');
  assert.match(lines[1]!, /^exercises\/a\.yml:7: unknown check kind: none of `bogus` is one of /);
  assert.match(lines[2]!, /image not found: nowhere\.png .*\(warning\)$/);
  assert.match(lint.stderr, /^2 errors, 2 warnings$/m);

  // A deck that cannot be loaded has no steps to bind specs to: lint reports the deck's problems only, as before.
  await writeFile(join(dir, 'workshop.yml'), 'title: Specs\ncontent:\n- slides/a.md\n- slides/missing.md\n');
  const unloadable = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(unloadable.code, 1, unloadable.stdout);
  assert.match(unloadable.stdout, /^workshop\.yml:4: .*missing\.md/m);
  assert.doesNotMatch(unloadable.stdout, /exercises\//);
});

test('init writes a workshop that lints cleanly, has the expected slides, and a check from its spec for each step', async () => {
  const dir = join(scratch, 'new-workshop');
  const init = await runLabdeck(['init', 'new-workshop'], { cwd: scratch });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /created a workshop in new-workshop/);
  for (const file of ['workshop.yml', 'slides/intro.md', 'slides/first-steps.md', 'exercises/first-steps.yml', 'README.md']) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  const lint = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(lint.code, 0, lint.stdout);
  assert.equal(lint.stdout, '', 'no warnings either');

  const slides = await slidesOf([], dir);
  const names = slides.map((slide) => slide.name);
  assert.deepEqual(slides[0]!.classes, ['title']);
  assert.match(slides[0]!.html, /My workshop/);
  assert.ok(names.includes('intro'));
  assert.ok(names.includes('toc-part-1') || names.some((name) => name?.startsWith('toc-part')));
  const exercise = slides.find((slide) => slide.name === 'hello-world')!;
  assert.match(exercise.html, /<div class="exercise">/);
  assert.match(exercise.html.replace(/<[^>]+>/g, ''), /docker run --rm alpine echo hello/);
  assert.match(exercise.notes, /Presenter notes/);

  // Each hands-on step gets the check its entry in exercises/first-steps.yml gives it (check --explain names the
  // entry's line), and the spec has no problem. Whether the steps pass depends on the engine: not asserted here.
  const explain = await runLabdeck(['check', '--explain'], { cwd: dir });
  assert.doesNotMatch(explain.stderr, /exercises\//, explain.stderr);
  assert.match(explain.stderr, /^\d\/2 steps passed$/m, explain.stderr);
  const specLines = (await readFile(join(dir, 'exercises', 'first-steps.yml'), 'utf8')).split('\n');
  const entryLine = (slide: string) => specLines.findIndex((line) => line.trim() === `- slide: ${slide}`) + 1;
  const explained = [...explain.stdout.matchAll(/^. \w+ +#\d+ ([\w-]+)\.\w+  (.*)\n    check: (.*)$/gm)].map((m) => m.slice(1).join(' | '));
  assert.deepEqual(
    explained,
    [
      `hello-world | Run a container that says hello: | ran, specified at exercises/first-steps.yml:${entryLine('hello-world')}`,
      `first-service | Start a service: | service, specified at exercises/first-steps.yml:${entryLine('first-service')}`,
    ],
    explain.stdout,
  );
});

test("init's closing hint is what to type next: `npx labdeck` through npx, the folder quoted when it must be", { timeout: 30_000 }, async () => {
  // The real command line (bin/labdeck.js), which is what reads npm's environment: npx sets npm_command=exec.
  const init = async (folder: string, npmCommand: string | undefined) =>
    (await promisify(execFile)(process.execPath, [join(repoRoot, 'bin/labdeck.js'), 'init', folder], { cwd: scratch, env: { ...process.env, npm_command: npmCommand } }))
      .stdout;
  const installed = await init('hint-installed', undefined);
  assert.match(installed, /^ {2}cd hint-installed\n {2}labdeck serve {2}.*\n {2}labdeck lint {2}/m, installed);
  const npx = await init('hint through npx', 'exec');
  assert.match(npx, /^ {2}cd 'hint through npx'\n {2}npx labdeck serve {2}.*\n {2}npx labdeck lint {2}/m, npx);

  // Made in the current folder: nothing to cd into.
  const here = join(scratch, 'hint-here');
  await mkdir(here);
  const inPlace = await runLabdeck(['init', '.'], { cwd: here });
  assert.equal(inPlace.code, 0, inPlace.stderr);
  assert.doesNotMatch(inPlace.stdout, /\bcd\b/, inPlace.stdout);
  assert.match(inPlace.stdout, /^ {2}labdeck serve {2}/m, inPlace.stdout);
});

test('init refuses a folder that is not empty, and needs exactly one argument', async () => {
  const dir = join(scratch, 'occupied');
  await mkdir(dir);
  await writeFile(join(dir, 'notes.txt'), 'mine');
  const run = await runLabdeck(['init', dir]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /is not empty/);
  assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');
  assert.equal(existsSync(join(dir, 'workshop.yml')), false);
  assert.equal((await runLabdeck(['init'])).code, 2);
});

test('serve --classroom refuses a data folder inside the workshop folder: one line, both folders, nothing created', { timeout: 20_000 }, async () => {
  const dir = join(scratch, 'class-data-inside');
  await mkdir(join(dir, 'slides'), { recursive: true });
  await writeFile(join(dir, 'workshop.yml'), 'title: Class\ncontent:\n- slides/a.md\n');
  await writeFile(join(dir, 'slides', 'a.md'), '# A\n');
  const run = await runLabdeck(['serve', '--classroom', '--data', 'data', '--port', '0'], { cwd: dir });
  assert.equal(run.code, 1, run.stdout);
  assert.ok(run.stderr.includes(`data folder ${join(dir, 'data')} is inside the workshop folder ${dir}`), run.stderr);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.equal(existsSync(join(dir, 'data')), false, 'no class store was created there');
});

test('build writes index.html with the deck embedded, the assets and the referenced images', async () => {
  const workshop = join(scratch, 'with-image');
  await mkdir(join(workshop, 'images'), { recursive: true });
  await writeFile(join(workshop, 'workshop.yml'), 'title: Pictures\ncontent:\n- deck.md\n');
  await writeFile(join(workshop, 'deck.md'), 'name: one\n\nOne\n\n---\n\n# Pictures\n\n![a whale](images/whale.png)\n\n---\n\nname: two\n\n## Two\n');
  await writeFile(join(workshop, 'images', 'whale.png'), 'PNG');
  await writeFile(join(workshop, 'images', 'unused.png'), 'PNG');
  const out = join(scratch, 'site');

  const run = await runLabdeck(['build', 'workshop.yml', '--out', out], { cwd: workshop });
  assert.equal(run.code, 0, run.stderr);
  const html = await readFile(join(out, 'index.html'), 'utf8');
  const data = JSON.parse(html.match(new RegExp(`id="${pageDataElementId}">(.*?)</script>`, 's'))![1]!) as PageData;
  assert.equal(data.live, false);
  assert.equal(data.deck.title, 'Pictures');
  assert.ok(data.deck.slides.some((slide) => slide.name === 'two'));
  assert.equal(await readFile(join(out, 'images', 'whale.png'), 'utf8'), 'PNG');
  assert.equal(existsSync(join(out, 'images', 'unused.png')), false, 'only what the slides reference');
  assert.ok(existsSync(join(out, '_labdeck', 'build', 'labdeck.js')));
  assert.ok(existsSync(join(out, '_labdeck', 'interstitial.svg')));
  const interstitial = data.deck.slides.find((slide) => slide.classes.includes('pic'))!;
  assert.match(interstitial.html, /src="_labdeck\/interstitial\.svg"/, 'asset URLs relative to the page');

  // Building again into the same folder is fine; into a folder holding something else is not.
  assert.equal((await runLabdeck(['build', '--out', out], { cwd: workshop })).code, 0);
  const foreign = join(scratch, 'foreign');
  await mkdir(foreign);
  await writeFile(join(foreign, 'thesis.tex'), '');
  assert.equal((await runLabdeck(['build', '--out', foreign], { cwd: workshop })).code, 2);
});

test('serve: a deck broken at start exits 1 with file:line: message and serves nothing', async () => {
  const dir = join(scratch, 'broken-serve');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'workshop.yml'), 'title: Broken\ncontent:\n  - [unclosed\n');
  const run = await runLabdeck(['serve', '--port', '0'], { cwd: dir, untilStopped: () => new Promise(() => {}) });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^workshop\.yml:\d+: Flow sequence/);
});

test('serve: binds 127.0.0.1 by default and says so; --open opens the URL; a busy port is a clear error', async () => {
  const opened: string[] = [];
  let stop!: () => void;
  let url = '';
  let output = '';
  let ended: string | undefined;
  const running = runLabdeck(['serve', '--port', '0', '--open'], {
    openUrl: (address) => opened.push(address),
    untilStopped: () => new Promise<void>((resolve) => (stop = resolve)),
    stdout: (text) => {
      output += text;
      url ||= /http:\/\/\S+/.exec(text)?.[0] ?? '';
    },
  });
  void running.then((run) => (ended = `serve ended (${run.code}): ${run.stderr}`));
  await waitFor(
    () => {
      if (ended !== undefined) assert.fail(ended);
      return url || undefined;
    },
    {
      timeoutMs: 20_000,
      describe: () => `serve's URL; it printed: ${JSON.stringify(output)}`,
    },
  );
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(opened, [url]);
    const port = new URL(url).port;
    const busy = await runLabdeck(['serve', '--port', port]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  } finally {
    stop();
  }
  assert.equal((await running).code, 0);
});
