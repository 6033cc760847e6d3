// A class's data folder through the real command line: the review's vanished class (a 0-byte labdeck.sqlite beside
// the WAL of a real class), two servers on one folder, readers and `labdeck backup` beside a running server, a store
// that is not one, a start that fails on a busy port, and a privileged port for a user who may not bind it.
// Servers run as their own processes where a second process or a SIGKILL is the point. DOCKER_HOST points nowhere:
// nothing here needs the engine (the pages say it is unreachable).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runLabdeck } from './run-cli.ts';
import { openProgressStore, storeFileName } from '../../src/progress/store.ts';

const manifest = join(repoRoot, 'test/fixtures/workshops/basic/workshop.yml');
const noEngine = 'unix:///nonexistent/labdeck-test-docker.sock';
process.env.DOCKER_HOST = noEngine; // in-process serves: checks find no engine and say so
let scratch: string;
const children = new Set<ChildProcess>();

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'labdeck-class-store-'));
});

after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

interface Served {
  readonly process: ChildProcess;
  readonly url: string;
  readonly code: string;
}

/** `labdeck serve --classroom` as a process of its own, resolved once it prints its URLs (or rejected with its output). */
function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/labdeck.js'), 'serve', manifest, '--classroom', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DOCKER_HOST: noEngine },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start within 20 s: ${output}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const url = /serving \d+ slides at (http:\/\/\S+\/)/.exec(output)?.[1];
      const code = /class (\w+): attendees join/.exec(output)?.[1];
      if (url && code) {
        clearTimeout(timer);
        resolve({ process: child, url, code });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.once('exit', (status) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${status}): ${output}`));
    });
  });
}

/** The same command, expected to refuse: its exit code and what it printed. */
function serveRefused(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/labdeck.js'), 'serve', manifest, '--classroom', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DOCKER_HOST: noEngine },
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // a second server that runs fails the test below
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stderr });
    });
  });
}

async function join_(served: Served, name: string): Promise<void> {
  const response = await fetch(`${served.url}join`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code: served.code, name }).toString(),
    redirect: 'manual',
  });
  assert.equal(response.status, 303, `joining as ${name}`);
}

async function stop(served: Served, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((resolve) => served.process.once('exit', resolve));
  served.process.kill(signal);
  await exited;
}

async function attendeesIn(dataDir: string): Promise<{ class: string; names: string[] }> {
  const run = await runLabdeck(['progress', manifest, '--data', dataDir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const progress = JSON.parse(run.stdout) as { class: string; attendees: { name: string }[] };
  return { class: progress.class, names: progress.attendees.map((attendee) => attendee.name).sort() };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const noStackTrace = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at |Error:/m, stderr);

test("the review's case: a 0-byte labdeck.sqlite beside the WAL of a real class; serve --classroom refuses, the WAL untouched", { timeout: 60_000 }, async () => {
  const dataDir = join(scratch, 'vanished');
  const served = await serve(dataDir);
  await join_(served, 'Ada');
  await stop(served, 'SIGKILL'); // the class is in the WAL only
  const wal = join(dataDir, `${storeFileName}-wal`);
  assert.ok(statSync(wal).size > 0, 'the killed server left its class in the WAL');
  truncateSync(join(dataDir, storeFileName), 0);
  const before = sha(wal);

  const refused = await runLabdeck(['serve', manifest, '--classroom', '--data', dataDir, '--port', '0']);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, new RegExp(`^${wal}: \\d+ KB of a class, but labdeck\\.sqlite is empty: .*nothing was deleted\\n$`));
  assert.doesNotMatch(refused.stdout, /class \w+: attendees join/, 'no new class');
  assert.equal(sha(wal), before, 'the WAL is untouched');
  assert.equal(statSync(join(dataDir, storeFileName)).size, 0);
  const progress = await runLabdeck(['progress', manifest, '--data', dataDir, '--json']);
  assert.equal(progress.code, 1);
  assert.match(progress.stderr, /labdeck\.sqlite is empty/);
});

test('one server per data folder: the second names the first; progress and backup read beside it; a SIGKILL frees the folder', { timeout: 90_000 }, async () => {
  const dataDir = join(scratch, 'shared');
  const first = await serve(dataDir);
  await join_(first, 'Ada');

  const second = await serveRefused(dataDir);
  assert.equal(second.code, 1, `the second server ran: ${second.stderr}`);
  assert.equal(second.stderr, `${dataDir} is in use by labdeck serve (pid ${first.process.pid}): stop it first\n`);

  assert.deepEqual(await attendeesIn(dataDir), { class: first.code, names: ['Ada'] }, 'progress reads beside the server');
  await join_(first, 'Bob'); // in the WAL only: the backup must have it all the same
  const backupDir = join(scratch, 'shared-backup');
  const backup = await runLabdeck(['backup', manifest, '--data', dataDir, '--out', backupDir]);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, new RegExp(`class ${first.code} \\(2 attendees\\) backed up to ${join(backupDir, storeFileName)}`));
  assert.equal((statSync(backupDir).mode & 0o777).toString(8), '700');
  assert.equal((statSync(join(backupDir, storeFileName)).mode & 0o777).toString(8), '600');
  assert.deepEqual(await attendeesIn(backupDir), { class: first.code, names: ['Ada', 'Bob'] }, 'the backup is a data folder');
  const again = await runLabdeck(['backup', manifest, '--data', dataDir, '--out', backupDir]);
  assert.equal(again.code, 1, 'a backup never overwrites one');
  assert.match(again.stderr, /exists already/);
  noStackTrace(again.stderr);

  await stop(first, 'SIGKILL');
  const third = await serve(dataDir);
  assert.equal(third.code, first.code, 'the same class, the lock released by the kernel');
  await stop(third, 'SIGTERM');
});

test('progress and backup on a folder without a class exit 1 with one clear line', async () => {
  const empty = join(scratch, 'empty');
  const noClass = join(scratch, 'no-class');
  openProgressStore(noClass).close(); // a store, but no class in it
  for (const dataDir of [empty, noClass]) {
    for (const argv of [
      ['progress', '--json'],
      ['backup', '--out', join(scratch, 'never')],
    ]) {
      const run = await runLabdeck([argv[0]!, manifest, '--data', dataDir, ...argv.slice(1)]);
      assert.equal(run.code, 1, `${argv[0]} on ${dataDir}: ${run.stdout}`);
      assert.match(run.stderr, /^no class in \S+: start one with 'labdeck serve --classroom', or point --data at its folder\n$/);
    }
  }
  assert.equal(existsSync(join(empty, storeFileName)), false, 'a reader creates no store');
  assert.equal(existsSync(join(scratch, 'never')), false, 'no backup of nothing');
});

test('a garbage labdeck.sqlite: serve and progress say which file and what to do, exit 1, no stack trace', async () => {
  const dataDir = mkdtempSync(join(scratch, 'garbage-'));
  const file = join(dataDir, storeFileName);
  writeFileSync(file, randomBytes(8192));
  for (const argv of [
    ['serve', manifest, '--classroom', '--port', '0'],
    ['progress', manifest, '--json'],
  ]) {
    const run = await runLabdeck([...argv, '--data', dataDir]);
    assert.equal(run.code, 1, `${argv[0]}: ${run.stdout}`);
    assert.equal(run.stderr, `${file}: not a labdeck class store (file is not a database): move it away or use another --data\n`);
  }
});

test('a classroom serve on a busy port leaves no class store behind', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const dataDir = join(scratch, 'busy-port', 'data');
  try {
    const run = await runLabdeck(['serve', manifest, '--classroom', '--data', dataDir, '--port', String(port)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  } finally {
    blocker.close();
  }
  assert.equal(existsSync(join(scratch, 'busy-port')), false, 'nothing of this start is left');
});

test('port 80 for a user who may not bind it: one clear line, exit 1 (run as nobody)', { timeout: 30_000 }, async () => {
  const child = spawn(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, join(repoRoot, 'bin/labdeck.js'), 'serve', manifest, '--port', '80'],
    {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', DOCKER_HOST: noEngine },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  child.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1, stderr);
  assert.equal(stderr, 'port 80 on 127.0.0.1 needs root (ports below 1024 are privileged): choose a port above 1023 with --port\n');
});
