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

test('a quote left open on line 1 of workshop.yml is reported at line 1, not at the end of the file', { timeout: 30_000 }, async () => {
  const dir = await workshop('open-quote', 'title: "abc\ncontent:\n- chapter.md\n');
  const run = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^workshop\.yml:1: Missing closing "quote/);
});
