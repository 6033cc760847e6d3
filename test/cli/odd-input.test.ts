// Odd input on the command line: files that are not text files (devices, FIFOs, folders, huge or binary files,
// unreadable ones), a file where a folder is expected, a quote left open in workshop.yml, includes that cannot expand.
// Each is one clear line naming the file, never a stack trace or a hang.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runLabdeck } from './run-cli.ts';

let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-odd-'));
  await chmod(scratch, 0o755); // the unreadable-chapter test runs the CLI as nobody, who must reach the workshop
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A workshop whose one chapter is `chapter.md`; returns its folder. */
async function workshop(name: string, manifest = 'title: Odd\ncontent:\n- chapter.md\n'): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'workshop.yml'), manifest);
  return dir;
}

/**
 * Runs the real `labdeck` in a child process with a deadline: reading a device or a FIFO would block the process
 * itself, which an in-process run could not time out.
 */
function labdeckProcess(argv: string[], cwd: string, prefix: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const command = [...prefix, process.execPath, join(repoRoot, 'bin', 'labdeck.js'), ...argv];
  const run = spawnSync(command[0]!, command.slice(1), { cwd, encoding: 'utf8', timeout: 20_000 });
  const timedOut = run.error !== undefined || run.signal !== null;
  assert.ok(!timedOut, `labdeck ${argv.join(' ')} did not finish within 20 s (${run.error?.message ?? run.signal}); stderr: ${run.stderr}`);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('build --out naming an existing file: one clear line, nothing written', { timeout: 30_000 }, async () => {
  const file = join(scratch, 'a-file');
  await writeFile(file, 'keep me');
  const run = await runLabdeck(['build', '--out', file]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, new RegExp(`^labdeck build: --out ${file} is a file, not a folder\\n`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

test('lint /dev/zero and a FIFO manifest are refused at once, not read forever', { timeout: 60_000 }, async () => {
  const zero = labdeckProcess(['lint', '/dev/zero'], scratch);
  assert.equal(zero.code, 1);
  assert.equal(zero.stdout, '/dev/zero is not a regular file (a device, FIFO or socket)\n');
  const dir = await workshop('fifo-manifest');
  execFileSync('mkfifo', [join(dir, 'pipe.yml')]);
  const fifo = labdeckProcess(['slides', '--json', 'pipe.yml'], dir);
  assert.equal(fifo.code, 1);
  assert.equal(fifo.stderr, `${join(dir, 'pipe.yml')} is not a regular file (a device, FIFO or socket)\n`);
});

test('a chapter that is a FIFO or larger than 10 MB is refused at its manifest line', { timeout: 60_000 }, async () => {
  const fifoDir = await workshop('fifo-chapter');
  execFileSync('mkfifo', [join(fifoDir, 'chapter.md')]);
  const fifo = labdeckProcess(['lint'], fifoDir);
  assert.equal(fifo.code, 1);
  assert.match(fifo.stdout, /^workshop\.yml:3: chapter file chapter\.md is not a regular file \(a device, FIFO or socket\)$/m);
  const slides = labdeckProcess(['slides', '--json'], fifoDir);
  assert.equal(slides.code, 1);
  assert.equal(slides.stderr, 'workshop.yml:3: chapter file chapter.md is not a regular file (a device, FIFO or socket)\n');

  const hugeDir = await workshop('huge-chapter');
  await writeFile(join(hugeDir, 'chapter.md'), '# Huge\n');
  await truncate(join(hugeDir, 'chapter.md'), 11 * 1024 * 1024);
  const huge = labdeckProcess(['lint'], hugeDir);
  assert.equal(huge.code, 1);
  assert.match(huge.stdout, /^workshop\.yml:3: chapter file chapter\.md is larger than 10 MB \(11\.0 MB\), too large for a deck file$/m);
});

test('a chapter that is a folder is called a folder, not "not found"', { timeout: 30_000 }, async () => {
  const dir = await workshop('folder-chapter');
  await mkdir(join(dir, 'chapter.md'));
  const lint = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(lint.code, 1);
  assert.equal(lint.stdout, 'workshop.yml:3: chapter file chapter.md is a folder, not a file\n');
  const slides = await runLabdeck(['slides', '--json'], { cwd: dir });
  assert.equal(slides.code, 1);
  assert.equal(slides.stderr, 'workshop.yml:3: chapter file chapter.md is a folder, not a file\n');
});

test('a chapter nobody may read: "cannot be read: permission denied"', { timeout: 60_000 }, async (t) => {
  const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  if (spawnSync(asNobody[0]!, [...asNobody.slice(1), 'true']).status !== 0) {
    t.skip('setpriv cannot switch to nobody here (not root?): only the folder case is tested');
    return;
  }
  const dir = await workshop('unreadable-chapter');
  await writeFile(join(dir, 'chapter.md'), '# Secret\n');
  await chmod(join(dir, 'chapter.md'), 0o000);
  const run = labdeckProcess(['lint'], dir, asNobody);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, 'workshop.yml:3: chapter file chapter.md cannot be read: permission denied\n');
});

test('a binary chapter is an error at the line of its first byte that is not UTF-8 text', { timeout: 30_000 }, async () => {
  const dir = await workshop('binary-chapter');
  await writeFile(join(dir, 'chapter.md'), Buffer.concat([Buffer.from('# Title\n\nnaïve\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a])]));
  const lint = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(lint.code, 1);
  assert.match(lint.stdout, /^chapter\.md:4: not UTF-8 text \(byte 17\)$/m);
  const slides = await runLabdeck(['slides', '--json'], { cwd: dir });
  assert.equal(slides.code, 1);
  assert.equal(slides.stderr, 'chapter.md:4: not UTF-8 text (byte 17)\n');
});

test('a quote left open on line 1 of workshop.yml is reported at line 1, not at the end of the file', { timeout: 30_000 }, async () => {
  const dir = await workshop('open-quote', 'title: "abc\ncontent:\n- chapter.md\n');
  const run = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^workshop\.yml:1: Missing closing "quote/);
});

test('an @@INCLUDE inside an included file stays text: lint warns at its line and names the cycle', { timeout: 30_000 }, async () => {
  const dir = await workshop('include-cycle');
  await writeFile(join(dir, 'chapter.md'), '# Title\n\n@@INCLUDE[self.md]\n\n---\n\n@@INCLUDE[a.md]\n');
  await writeFile(join(dir, 'self.md'), 'self text\n@@INCLUDE[self.md]\n');
  await writeFile(join(dir, 'a.md'), 'a text\n@@INCLUDE[b.md]\n');
  await writeFile(join(dir, 'b.md'), 'b text\n@@INCLUDE[a.md]\n');
  const run = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(run.code, 0, run.stdout);
  const warnings = run.stdout.split('\n').filter((line) => line.includes('@@INCLUDE'));
  assert.deepEqual(warnings, [
    'a.md:2: @@INCLUDE[b.md] stays as text: a.md is itself included (chapter.md:7), and included files are not expanded again; it would be a cycle: a.md → b.md → a.md (warning)',
    'self.md:2: @@INCLUDE[self.md] stays as text: self.md is itself included (chapter.md:3), and included files are not expanded again; it would be a cycle: self.md → self.md (warning)',
  ]);
});
