#!/usr/bin/env node
// Runs the given test files with node:test's run(), in the order given, and prints TAP as `node --test` does. Node 20's
// `node --test` sorts its files by name: a file that run-tests.mjs starts first would start wherever its name falls.
// run-tests.mjs starts this script with the --import flags that each file's process inherits.
// Usage: run-test-files.mjs <concurrency> <timeout per file, ms> <file>…
import { run } from 'node:test';
import { tap } from 'node:test/reporters';

const [concurrency, timeout, ...files] = process.argv.slice(2);
const stream = run({ files, concurrency: Number(concurrency), timeout: Number(timeout) });
stream.on('test:fail', (event) => {
  if (!event.todo) process.exitCode = 1;
});
stream.compose(tap).pipe(process.stdout);
