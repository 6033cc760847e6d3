// What `labdeck serve` does on its way to the first page, counted rather than timed (bench/startup.ts times it, goal
// < 500 ms): the npm packages it loads and the git processes it runs, in the compiled command as a user starts it.
// Terminals' node-pty and @xterm/headless load at the first terminal, classes' better-sqlite3 at the first class: the
// first page needs none of them. The footer links' repository is read with two git processes (markmaker's three
// reads, the two `rev-parse` ones asked at once), at the start and then only once the checkout changed (a reload of an
// edited chapter runs none; a branch switched under a running server shows at its next reload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { decodeServerMessage, encodeClientMessage, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL, type DeckJson } from '../../src/protocol.ts';
import { terminalSocketPath } from '../../src/http/terminal-route.ts';
import { waitFor } from '../support/wait.ts';
import { repoRoot } from './run-cli.ts';

const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
/** The packages no first page needs: loaded by the first terminal (node-pty, the mirror) or the first class. */
const notOnTheFirstPagePath = ['@xterm/addon-serialize', '@xterm/headless', 'better-sqlite3', 'node-pty'];

interface Setup {
  readonly dir: string;
  readonly manifest: string;
  /** Each git command labdeck ran, one line each (a `git` on PATH that logs, then runs the real one). */
  readonly gitLog: string;
  readonly packagesFile: string;
  readonly env: NodeJS.ProcessEnv;
  git(...args: string[]): void;
}

/** A workshop with a terminal and footer links, in a git checkout on `main` with an origin. */
async function setup(): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-serve-start-'));
  const checkout = join(dir, 'checkout');
  await mkdir(join(checkout, 'slides'), { recursive: true });
  await writeFile(join(checkout, 'slides', 'a.md'), '# First\n\nSome text.\n');
  await writeFile(join(checkout, 'workshop.yml'), 'title: Start\ncontent:\n- slides/a.md\nterminals:\n  shell: local\n');
  const git = (...args: string[]) => void execFileSync('git', args, { cwd: checkout, env: { ...process.env, ...identity }, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  git('remote', 'add', 'origin', 'https://example.org/start.git');
  git('add', '--all');
  git('commit', '--quiet', '--no-gpg-sign', '-m', 'deck');

  const shims = join(dir, 'bin');
  await mkdir(shims);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const gitLog = join(dir, 'git.log');
  await writeFile(join(shims, 'git'), `#!/bin/sh\necho "$*" >> '${gitLog}'\nexec '${realGit}' "$@"\n`);
  await chmod(join(shims, 'git'), 0o755);
  const packagesFile = join(dir, 'packages.txt');
  const env = {
    ...process.env,
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    LABDECK_CACHE: join(dir, 'render-cache'),
    LABDECK_DATA: join(dir, 'data'),
    LABDECK_TEST_LOADED_PACKAGES: packagesFile,
  };
  return { dir, manifest: join(checkout, 'workshop.yml'), gitLog, packagesFile, env, git };
}

interface Served {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** The packages loaded so far (the preload writes them on SIGUSR2). */
  loadedPackages(): Promise<string[]>;
}

async function serve(setup: Setup): Promise<Served> {
  const preload = join(repoRoot, 'test/support/loaded-packages.mjs');
  const child = spawn(process.execPath, ['--import', preload, join(repoRoot, 'bin/labdeck.js'), 'serve', setup.manifest, '--port', '0'], {
    env: setup.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await waitFor(() => /serving \d+ slides at (http:\/\/\S+\/)/.exec(stdout)?.[1] ?? (child.exitCode !== null && 'exited'), {
      timeoutMs: 30_000,
      describe: () => `the URL printed; stdout: ${stdout}; stderr: ${stderr}`,
    });
    if (url === 'exited') throw new Error(`serve exited (${child.exitCode}): ${stderr}`);
    const loadedPackages = async () => {
      await rm(setup.packagesFile, { force: true });
      child.kill('SIGUSR2');
      const text = await waitFor(() => existsSync(setup.packagesFile) && readFile(setup.packagesFile, 'utf8'), {
        timeoutMs: 5_000,
        describe: () => `the loaded packages written to ${setup.packagesFile}; stderr: ${stderr}`,
      });
      return text.split('\n').filter(Boolean);
    };
    return { url, port: Number(new URL(url).port), stop, loadedPackages };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The git commands run so far, sorted: those run side by side may be logged in either order. */
const gitCommands = async (setup: Setup) => (existsSync(setup.gitLog) ? (await readFile(setup.gitLog, 'utf8')).split('\n').filter(Boolean).sort() : []);

test('the first page loads no terminal or class module; the first terminal loads node-pty and the mirror', { timeout: 60_000 }, async (t) => {
  const s = await setup();
  const server = await serve(s).catch(async (error: unknown) => {
    await rm(s.dir, { recursive: true, force: true });
    throw error;
  });
  t.after(async () => {
    await server.stop();
    await rm(s.dir, { recursive: true, force: true });
  });

  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  await page.text();
  const loaded = await server.loadedPackages();
  assert.ok(loaded.includes('express'), `the preload sees packages: ${loaded.join(', ')}`);
  assert.deepEqual(
    notOnTheFirstPagePath.filter((name) => loaded.includes(name)),
    [],
    'loaded before any terminal or class',
  );

  // The first terminal loads node-pty and the mirror, and works.
  const origin = `http://127.0.0.1:${server.port}`;
  const terminal = new WebSocket(`ws://127.0.0.1:${server.port}${terminalSocketPath}`, TERMINAL_SUBPROTOCOL, { origin });
  t.after(() => terminal.terminate());
  let output = '';
  terminal.on('message', (data: Buffer) => {
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'output' || message.type === 'snapshot') output += new TextDecoder().decode(message.data);
  });
  await new Promise((resolve, reject) => terminal.once('open', resolve).once('error', reject));
  terminal.send(encodeClientMessage({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: '', terminal: 'shell', cols: 80, rows: 24 } }));
  terminal.send(encodeClientMessage({ type: 'input', data: new TextEncoder().encode('echo started-$((6*7))\r') }));
  await waitFor(() => output.includes('started-42'), { timeoutMs: 15_000, describe: () => `the echo; got ${JSON.stringify(output.slice(-300))}` });
  const afterTerminal = await server.loadedPackages();
  assert.deepEqual(
    ['@xterm/addon-serialize', '@xterm/headless', 'node-pty'].filter((name) => !afterTerminal.includes(name)),
    [],
    'loaded by the first terminal',
  );
});

test('the footer links read git with two processes at the start, and again only once the checkout changed', { timeout: 60_000 }, async (t) => {
  const s = await setup();
  const server = await serve(s).catch(async (error: unknown) => {
    await rm(s.dir, { recursive: true, force: true });
    throw error;
  });
  t.after(async () => {
    await server.stop();
    await rm(s.dir, { recursive: true, force: true });
  });
  const gitReads = ['config remote.origin.url', 'rev-parse --show-prefix --abbrev-ref HEAD --absolute-git-dir --git-common-dir'];
  const reloadedWith = (text: string) =>
    waitFor(
      async () => {
        const json = (await (await fetch(`${server.url}deck.json`)).json()) as DeckJson;
        return json.slides[0]?.html.includes(text) && json;
      },
      { timeoutMs: 10_000, describe: () => `the edit "${text}" reloaded` },
    );

  const deck = (await (await fetch(`${server.url}deck.json`)).json()) as DeckJson;
  assert.match(deck.slides[0]?.html ?? '', /href="https:\/\/example\.org\/start\.git\/tree\/main\/\/slides\/a\.md"/, 'footer links from git');
  assert.deepEqual(await gitCommands(s), gitReads, 'git run for the start');

  // An edit of a chapter: the checkout is unchanged, git is not asked again.
  await writeFile(s.gitLog, '');
  await writeFile(join(s.dir, 'checkout', 'slides', 'a.md'), '# First\n\nAn edit.\n');
  assert.match((await reloadedWith('An edit.')).slides[0]?.html ?? '', /tree\/main\/\/slides\/a\.md/);
  assert.deepEqual(await gitCommands(s), [], 'no git run for a reload of an unchanged checkout');

  // A branch switched under the running server shows at the next reload.
  s.git('switch', '--quiet', '-c', 'class-2026');
  await writeFile(join(s.dir, 'checkout', 'slides', 'a.md'), '# First\n\nSome other text.\n');
  assert.match((await reloadedWith('other text')).slides[0]?.html ?? '', /tree\/class-2026\/\/slides\/a\.md/);
  assert.deepEqual(await gitCommands(s), gitReads, 'git run again once the checkout changed');
});
