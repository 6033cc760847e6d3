// scripts/run-tests.mjs on fixture files: a test that never ends fails with a timeout (the others' results kept)
// instead of hanging the suite, a file with the alone marker (see run-tests.mjs) runs after the batch, and a file with
// the first marker starts the batch, though its name sorts last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './cli/run-cli.ts';

test('a hung test fails after its timeout, the rest of the file still runs; alone files run after the batch, first files first', { timeout: 60_000 }, () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts/run-tests.mjs'), 'test/fixtures/runner'], {
    cwd: repoRoot,
    encoding: 'utf8',
    // Without this test process's NODE_TEST_CONTEXT: with it, node --test thinks it runs inside a test and runs nothing.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_TEST_CONTEXT')), LABDECK_TEST_TIMEOUT_MS: '1000' },
    timeout: 40_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.signal, null, `the runner hung (killed after 40 s); it printed:\n${output}`);
  assert.equal(run.status, 1, output);
  assert.match(output, /not ok \d+ - waits for ever\n[\s\S]*?test timed out after 1000ms/);
  assert.match(output, /\nok \d+ - passes after the one that hung/);
  assert.match(output, /\nok \d+ - ran in the batch/);
  const batchSummary = output.indexOf('# tests');
  const started = output.indexOf('ok 1 - started first in the batch');
  assert.ok(started >= 0 && started < output.indexOf('ran in the batch') && started < output.indexOf('waits for ever'), output);
  assert.ok(batchSummary >= 0 && output.indexOf('ran alone, after the batch') > batchSummary, output);
});
