// The engine watch (engine/snapshot.ts) against the real engine behind a relay that stalls: the connection stays open
// and carries nothing (the engine, or the ssh hop to a node, stopped answering mid-request). A read that never
// answers must not hold the watch's one-at-a-time reads for ever: the snapshot says the engine is unreachable once
// the read's deadline passes, and recovers by itself once the connection carries bytes again. The `/events` stream
// says nothing while nothing happens, so a stall is also noticed when nobody reads: a quiet stream is followed by a
// ping with the same deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { watchEngine, type EngineWatch } from '../../src/engine/snapshot.ts';
import { stallingRelay } from '../support/stalling-relay.ts';
import { waitFor } from '../support/wait.ts';

const seen = (watch: EngineWatch): string =>
  JSON.stringify({ reachable: watch.current.reachable, error: watch.current.error, listening: watch.listening, apiCalls: watch.apiCalls });

test('a read that stalls is given up at its deadline: the snapshot says unreachable, and recovers once the engine answers', { timeout: 30_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-snapshot-deadline-'));
  const relay = await stallingRelay(join(folder, 'engine.sock'));
  const readTimeoutMs = 1000;
  // No quiet-stream ping in this test: only the read's own deadline can notice the stall.
  const watch = watchEngine(connectEngine({ host: `unix://${join(folder, 'engine.sock')}` }), {
    readTimeoutMs,
    streamQuietMs: 600_000,
    reconnectMinMs: 100,
    reconnectMaxMs: 500,
  });
  try {
    await waitFor(() => watch.current.reachable && watch.listening, { timeoutMs: 10_000, describe: () => `the first read and the events stream; ${seen(watch)}` });
    relay.stall();
    const stalledAt = Date.now();
    void watch.refresh();
    await waitFor(() => !watch.current.reachable, { timeoutMs: readTimeoutMs + 4000, describe: () => `the stalled read given up; ${seen(watch)}` });
    const noticedMs = Date.now() - stalledAt;
    assert.ok(noticedMs >= readTimeoutMs - 50, `given up after ${noticedMs} ms, before its deadline`);
    assert.match(watch.current.error ?? '', /no answer from the engine within 1 s/);
    process.stdout.write(`# stalled read given up after ${noticedMs} ms (deadline ${readTimeoutMs} ms)\n`);
    relay.resume();
    const resumedAt = Date.now();
    await waitFor(() => watch.current.reachable && watch.listening, { timeoutMs: 10_000, describe: () => `the watch recovered; ${seen(watch)}` });
    assert.equal(watch.current.error, undefined);
    process.stdout.write(`# recovered ${Date.now() - resumedAt} ms after the connection carried bytes again\n`);
  } finally {
    watch.dispose();
    await relay.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a stalled events stream is noticed while nothing is read, and the watch recovers by itself', { timeout: 30_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-snapshot-deadline-'));
  const relay = await stallingRelay(join(folder, 'engine.sock'));
  const options = { readTimeoutMs: 1000, streamQuietMs: 500, reconnectMinMs: 100, reconnectMaxMs: 500 };
  const watch = watchEngine(connectEngine({ host: `unix://${join(folder, 'engine.sock')}` }), options);
  try {
    await waitFor(() => watch.current.reachable && watch.listening, { timeoutMs: 10_000, describe: () => `the first read and the events stream; ${seen(watch)}` });
    relay.stall();
    const stalledAt = Date.now();
    await waitFor(() => !watch.current.reachable, { timeoutMs: 8000, describe: () => `the stall noticed without a read; ${seen(watch)}` });
    const noticedMs = Date.now() - stalledAt;
    assert.ok(noticedMs <= options.streamQuietMs + options.readTimeoutMs + 1000, `noticed after ${noticedMs} ms`);
    process.stdout.write(`# stalled stream noticed after ${noticedMs} ms (quiet ${options.streamQuietMs} ms + deadline ${options.readTimeoutMs} ms)\n`);
    relay.resume();
    await waitFor(() => watch.current.reachable && watch.listening, { timeoutMs: 10_000, describe: () => `the watch recovered; ${seen(watch)}` });
  } finally {
    watch.dispose();
    await relay.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
