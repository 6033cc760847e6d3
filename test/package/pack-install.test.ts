// The npm package, as a new user gets it: `npm pack` (its prepack builds everything) on a copy of this checkout, the
// tarball installed into an empty project without our dev dependencies, and the commands run from there. This is what
// keeps the package honest: a file left out of `files`, a runtime import of a dev dependency, a path that only exists
// in a checkout, all fail here. Dependencies come from the npm cache that `npm ci` filled (--prefer-offline).
//
// node-pty's install script is allowed (it compiles the terminal's native part: no prebuilt binary exists for Linux);
// better-sqlite3's is not, which keeps the install quick and shows what a user without it is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { repoRoot } from '../cli/run-cli.ts';
import { startServedCli } from '../support/served-cli.ts';
import { within } from '../support/wait.ts';
import { decodeServerMessage, encodeClientMessage, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL } from '../../src/protocol.ts';
import { terminalSocketPath } from '../../src/http/terminal-route.ts';

const execFile = promisify(execFileCallback);
const TARBALL_BUDGET_BYTES = 1.5 * 1024 * 1024;

const scratch = mkdtempSync(join(tmpdir(), 'labdeck-package-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** `npm pack` on a copy of the checkout (tracked and new files), so that its build never rewrites files other tests serve. */
function packCopy(): string {
  const copy = join(scratch, 'checkout');
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  // node_modules is linked below; a checkout where it is itself a link lists it as a file.
  for (const file of listed.split('\0').filter((name) => name !== '' && name !== 'node_modules' && existsSync(join(repoRoot, name)))) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(copy, file));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  ) as [{ filename: string; files: { path: string }[] }];
  return join(scratch, packed[0].filename);
}

let labdeckBin = '';
let project = '';
const labdeck = (args: string[], cwd = project) => execFile(process.execPath, [labdeckBin, ...args], { cwd, encoding: 'utf8' });

/** A labdeck command run with a resolve hook (in the loader thread) that records every module it loads. */
async function labdeckLoading(args: string[], cwd: string): Promise<{ stdout: string; stderr: string; loaded: string[] }> {
  const record = join(scratch, `loaded-${args[0]}.txt`);
  const hooks = join(scratch, 'record-hooks.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(process.env.LABDECK_TEST_LOADED, result.url + '\\n');\n  return result;\n}\n",
  );
  const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(`file://${hooks}`)});`;
  const run = await execFile(process.execPath, ['--import', register, labdeckBin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LABDECK_TEST_LOADED: record },
  });
  return { ...run, loaded: readFileSync(record, 'utf8').split('\n').filter(Boolean) };
}

/** The npm packages among loaded module URLs, labdeck itself left out. */
function packagesIn(urls: readonly string[]): string[] {
  const names = urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []).filter((name) => name !== 'labdeck');
  return [...new Set(names)].sort();
}

test('npm pack makes a small package of compiled code, client bundle and docs: no sources, tests or fixtures', { timeout: 120_000 }, () => {
  const tarball = packCopy();
  const size = statSync(tarball).size;
  assert.ok(size < TARBALL_BUDGET_BYTES, `tarball ${(size / 1024).toFixed(0)} KiB, budget ${TARBALL_BUDGET_BYTES / 1024} KiB`);
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const expected of ['package/bin/labdeck.js', 'package/dist/cli.js', 'package/public/build/labdeck.js', 'package/README.md', 'package/LICENSE']) {
    assert.ok(files.includes(expected), `${expected} is in the package`);
  }
  assert.ok(
    files.some((file) => file.startsWith('package/dist/templates/workshop/')),
    'the skeleton init copies',
  );
  const unwanted = files.filter((file) => /^package\/(src|test|bench|scripts)\/|\.map$|\.ts$|fixtures/.test(file));
  assert.deepEqual(unwanted, [], 'sources, tests, benchmarks, fixtures and source maps stay out');

  project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-workshops', private: true, allowScripts: { 'node-pty': true, 'better-sqlite3': false } }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  labdeckBin = join(project, 'node_modules', 'labdeck', 'bin', 'labdeck.js');
  const installed = readdirSync(join(project, 'node_modules'));
  for (const devOnly of ['tsx', 'typescript', 'esbuild', '@biomejs', 'playwright-core']) {
    assert.ok(!installed.includes(devOnly), `${devOnly} is not installed with the package`);
  }
});

test('the installed command: --version, --help without loading any dependency, init, lint, slides, build', { timeout: 120_000 }, async () => {
  assert.ok(labdeckBin, 'the package was installed by the previous test');
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal((await labdeck(['--version'])).stdout, `${version}\n`);

  const help = await labdeckLoading(['--help'], project);
  assert.match(help.stdout, /^Usage: labdeck <command>/);
  assert.ok(
    help.loaded.some((url) => url.includes('/node_modules/labdeck/dist/cli.js')),
    `the hook saw labdeck load: ${help.loaded.join(', ')}`,
  );
  assert.deepEqual(packagesIn(help.loaded), [], '--help loads no dependency');
  // Shared code is in chunk-*.js; each command is a chunk of its own name (scripts/build-server.mjs).
  assert.deepEqual(
    help.loaded.filter((url) => /\/dist\/chunks\/(?!chunk-)/.test(url)),
    [],
    '--help loads no command',
  );

  assert.match((await labdeck(['init', 'demo'])).stdout, /created a workshop in demo/);
  const workshop = join(project, 'demo');
  const lint = await labdeckLoading(['lint'], workshop);
  assert.equal(lint.stdout, '', 'no diagnostics');
  assert.match(lint.stderr, /0 errors, 0 warnings/);
  // The deck commands load the deck engine, not the engine's client, the web server or the terminals.
  const heavy = ['dockerode', 'ssh2', 'node-pty', 'better-sqlite3', 'express', 'ws', 'mermaid'];
  assert.deepEqual(
    packagesIn(lint.loaded).filter((name) => heavy.includes(name)),
    [],
    'lint loads none of these',
  );
  assert.ok(packagesIn(lint.loaded).includes('remark'), 'the hook sees what lint loads');
  const slides = JSON.parse((await labdeck(['slides', '--json'], workshop)).stdout) as { name: string | null; html: string }[];
  assert.ok(slides.some((slide) => slide.name === 'hello-world' && slide.html.includes('class="exercise"')));
  const built = await labdeck(['build', '--out', join(scratch, 'site')], workshop);
  assert.match(built.stdout, /wrote/);
  for (const file of ['index.html', '_labdeck/build/labdeck.js', '_labdeck/build/labdeck.css']) assert.ok(existsSync(join(scratch, 'site', file)), `build wrote ${file}`);

  const pdf = await labdeck(['pdf', '--out', join(scratch, 'deck.pdf')], workshop).then(
    () => assert.fail('pdf without playwright-core must fail'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(pdf.code, 1);
  assert.match(pdf.stderr, /playwright-core package, which is not installed: `npm install playwright-core`/);
  assert.ok(!pdf.stderr.includes('    at '), 'one line, no stack trace');
});

test('the installed command serves the page, its client bundle and a terminal; without its native part, a class says how to fix it', { timeout: 120_000 }, async () => {
  assert.ok(labdeckBin, 'the package was installed by the first test');
  const workshop = join(project, 'demo');
  const served = await startServedCli(['--port', '0'], { cwd: workshop, startTimeoutMs: 30_000, bin: labdeckBin });
  try {
    const page = await fetch(served.url);
    assert.equal(page.status, 200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]*labdeck\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads the client bundle');
    const bundle = await fetch(new URL(script, served.url));
    assert.equal(bundle.status, 200, script);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    // mermaid's browser build, served from where npm installed the dependency (a deck with diagrams loads it).
    const mermaid = await fetch(new URL('_labdeck/vendor/mermaid.min.js', served.url));
    assert.equal(mermaid.status, 200);
    assert.match(await mermaid.text(), /globalThis\["mermaid"\]/);

    const socket = new WebSocket(`ws://127.0.0.1:${served.port}${terminalSocketPath}`, TERMINAL_SUBPROTOCOL, { origin: served.url.replace(/\/$/, '') });
    let screen = '';
    socket.on('message', (data: Buffer) => {
      const message = decodeServerMessage(new Uint8Array(data));
      if ('type' in message && (message.type === 'output' || message.type === 'snapshot')) screen += Buffer.from(message.data).toString();
    });
    await within(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), 10_000, () => 'the terminal socket did not open');
    const hello = { version: TERMINAL_PROTOCOL_VERSION, token: served.instructorToken, terminal: 'shell', cols: 80, rows: 24 };
    socket.send(encodeClientMessage({ type: 'hello', hello }));
    socket.send(encodeClientMessage({ type: 'input', data: new TextEncoder().encode('echo packaged-$((6*7))\r') }));
    await within(
      new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (screen.includes('packaged-42')) {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      }),
      20_000,
      () => `the shell did not answer; the terminal showed: ${JSON.stringify(screen.slice(-500))}`,
    );
    socket.close();
  } finally {
    await served.stop();
  }
  assert.equal(served.exited()?.signal ?? null, null, `serve stopped on SIGTERM by itself; stderr: ${served.stderrTail()}`);

  // A container.training checkout: its deck served as it is, from the package.
  const checkout = join(scratch, 'container-training');
  cpSync(join(repoRoot, 'test', 'fixtures', 'container-training'), checkout, { recursive: true });
  const deck = await startServedCli(['swarm-halfday.yml', '--port', '0'], { cwd: checkout, startTimeoutMs: 30_000, bin: labdeckBin, terminals: false });
  try {
    const slides = (await (await fetch(new URL('deck.json', deck.url))).json()) as { slides: unknown[] };
    assert.ok(slides.slides.length > 250, `swarm-halfday has its 276 slides: ${slides.slides.length}`);
  } finally {
    await deck.stop();
  }

  const classroom = await labdeck(['serve', '--classroom', '--port', '0'], workshop).then(
    () => assert.fail('serve --classroom without better-sqlite3 built must fail'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(classroom.code, 1);
  assert.match(classroom.stderr, /better-sqlite3 is installed without its compiled part, which classes \(serve --classroom/);
  assert.ok(!classroom.stderr.includes('    at '), `one line, no stack trace: ${classroom.stderr}`);
});
