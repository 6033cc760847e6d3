#!/usr/bin/env node
// Runs every test file under the given folders, or the given test files (default: test/), with node's own test runner.
// Node 20's --test does not expand globs itself, so the file list is made here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
  else try { walk(root); } catch (error) { if (error.code !== 'ENOENT') throw error; }
}
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
// A file that measures a latency the user feels (the prompt after Ctrl-C) says so with this line, and runs after the
// others, alone: two test files side by side on a 2-core machine (an image build, another browser) would measure the
// machine, not labdeck.
const ALONE_MARKER = '// test-runner: alone';
const alone = files.filter((file) => readFileSync(file, 'utf8').includes(ALONE_MARKER));
const together = files.filter((file) => !alone.includes(file));
const run = (batch, concurrency) => batch.length === 0 ? 0 : spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...batch], { stdio: 'inherit' }).status ?? 1;
const status = run(together, 2);
process.exit(run(alone, 1) || status);
