// `serve --host 0.0.0.0` and local shells, through the real CLI (bin/labdeck.js in a child process): a workshop whose
// terminals are shells on this machine is refused on a network address (exit 1, file:line and why), and served when
// the workshop says `allowLocalShellOnNetwork: true`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-cli.ts';

let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-serve-network-'));
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function workshopWithLocalShell(name: string, allow: boolean): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'slides'), { recursive: true });
  await writeFile(join(dir, 'slides', 'one.md'), '# One\n\n.exercise[\n\n- Look:\n  ```bash\n  ls\n  ```\n\n]\n');
  await writeFile(join(dir, 'workshop.yml'), `title: Net\nterminals:\n  shell: local\n${allow ? '  allowLocalShellOnNetwork: true\n' : ''}content:\n- slides/one.md\n`);
  return dir;
}

interface Child {
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  stop(): void;
}

function labdeck(argv: string[], cwd: string): Child {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/labdeck.js'), ...argv], { cwd, env: { ...process.env, LABDECK_DATA: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exited, stdout: () => out, stderr: () => err, stop: () => child.kill('SIGINT') };
}

async function within<T>(ms: number, what: string, promise: Promise<T>, seen: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms; saw: ${seen()}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('serve --host 0.0.0.0 refuses a workshop whose terminals are local shells: exit 1, file:line, why', { timeout: 30_000 }, async () => {
  const dir = await workshopWithLocalShell('refused', false);
  const serve = labdeck(['serve', '--host', '0.0.0.0', '--port', '0'], dir);
  const code = await within(20_000, 'serve exits', serve.exited, () => serve.stdout() + serve.stderr()).finally(serve.stop);
  assert.equal(code, 1, serve.stdout() + serve.stderr());
  assert.match(
    serve.stderr(),
    /^workshop\.yml:3: terminal "shell" is a shell on this machine, and --host 0\.0\.0\.0 would give it to everyone who can reach the server: serve on 127\.0\.0\.1, run the terminals in containers or over ssh, or add `allowLocalShellOnNetwork: true` under `terminals:`\n$/,
  );
  assert.doesNotMatch(serve.stderr(), /\n\s+at /, 'one clear line, no stack trace');
  assert.doesNotMatch(serve.stdout(), /serving/);
});

test('with allowLocalShellOnNetwork: true, serve --host 0.0.0.0 serves the deck and its terminals', { timeout: 30_000 }, async () => {
  const dir = await workshopWithLocalShell('allowed', true);
  const serve = labdeck(['serve', '--host', '0.0.0.0', '--port', '0'], dir);
  try {
    let url: string | undefined;
    for (const deadline = Date.now() + 20_000; url === undefined; await new Promise((resolve) => setTimeout(resolve, 50))) {
      url = /labdeck: serving \d+ slides at (http:\S+) \(bound to 0\.0\.0\.0/.exec(serve.stdout())?.[1];
      if (url === undefined && Date.now() > deadline) assert.fail(`serve printed no URL within 20 s; saw: ${serve.stdout()}${serve.stderr()}`);
    }
    assert.match(serve.stdout(), /labdeck: terminals, read-only \(projector\): /);
    const port = new URL(url).port;
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    const token = /instructor \(leads, keep private\): \S+\?token=(\S+)/.exec(serve.stdout())![1]!;
    const terminals = await fetch(`http://127.0.0.1:${port}/_labdeck/terminals.json`, { headers: { cookie: `labdeck_token=${token}` } });
    assert.equal(terminals.status, 200);
    assert.match(await terminals.text(), /"shell"/);
  } finally {
    serve.stop();
    await within(10_000, 'serve stops on Ctrl-C', serve.exited, () => serve.stderr());
  }
});
