#!/usr/bin/env node
// Runs every test file under the given folders, or the given test files (default: test/), with node's own test runner.
// Node 20's --test does not expand globs itself, so the file list is made here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (entry === 'fixtures' || entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots) {
  if (root.endsWith('.test.ts')) files.push(root);
  else
    try {
      walk(root);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
}
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
// A file that measures a latency the user feels (the prompt after Ctrl-C) says so with this line, and runs after the
// others, alone: two test files side by side on a 2-core machine (an image build, another browser) would measure the
// machine, not labdeck. So does a file that counts or compares what happens on the shared engine (API calls, reads,
// progress across a restart): another file's services would change its numbers.
const ALONE_MARKER = '// test-runner: alone';
const alone = files.filter((file) => readFileSync(file, 'utf8').includes(ALONE_MARKER));
// A long file that mostly waits, and needs neither a quiet CPU nor a quiet shared engine, says so with this line: it
// starts first in the batch, and the other files take turns in the second lane meanwhile, instead of it running alone
// at the end. multi-node.test.ts: its own engines, swarm and events (no other file's services move them), deadlines of
// tens of seconds, no latency measured; alone, it kept the 2 cores 28% busy over its 240 s (swarm heartbeats, sandboxes
// booting); beside the batch's first 64 files, the two took 303 s and 312 s, against 179 s + 240 s one after the other.
const FIRST_MARKER = '// test-runner: first';
const first = files.filter((file) => !alone.includes(file) && readFileSync(file, 'utf8').includes(FIRST_MARKER));
const together = [...first, ...files.filter((file) => !alone.includes(file) && !first.includes(file))];

// The tests run labdeck as users do, compiled (bin/labdeck.js runs dist/), and serve the client bundle: both are
// built here, before any file starts, so that a test never runs yesterday's build nor sees one half-written.
const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url))], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error('the build failed (see above): no test was run');
  process.exit(1);
}

// Files side by side must not build the same image at the same time (see test/support/prepare.ts): when files that
// use the engine run together, the images are built once, first.
const USES_ENGINE = /src\/(engine|lab|environments)\/|support\/checked-workshop/;
if (together.length > 1 && together.some((file) => USES_ENGINE.test(readFileSync(file, 'utf8')))) {
  const prepared = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../test/support/prepare.ts', import.meta.url))], { stdio: 'inherit' });
  if (prepared.status !== 0) {
    console.error('preparing the shared images failed (see above): no test was run');
    process.exit(1);
  }
}

// Each test and hook gets a default timeout (test/support/default-timeout.ts says why it is loaded this way); the
// per-file timeout is a backstop for what no test bounds: a file that hangs while loading, or whose process does not
// exit after its tests. 15 min: above the longest timeout a test names (10 min, a lab brought up twice).
const FILE_TIMEOUT_MS = 15 * 60_000;
const run = (batch, concurrency) =>
  batch.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          new URL('../test/support/default-timeout.ts', import.meta.url).href,
          fileURLToPath(new URL('./run-test-files.mjs', import.meta.url)),
          String(concurrency),
          String(FILE_TIMEOUT_MS),
          ...batch,
        ],
        { stdio: 'inherit' },
      ).status ?? 1);
const status = run(together, 2);
process.exit(run(alone, 1) || status);
