// The step-results channel on the real server (port 0) against the real engine: a page's socket receives the whole
// state, then the step flips to passed when the service appears and back (with the reason) when it goes; manual
// steps are confirmed over the socket; Origin and roles are enforced; sockets add no engine API calls.
// It counts the watch's API calls exactly: another file's services would add calls of their own, so it runs alone.
// test-runner: alone
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { resultsPath } from '../../src/protocol.ts';
import { startCheckedWorkshop, type CheckedWorkshop } from '../support/checked-workshop.ts';
import { ResultsClient } from '../support/results-client.ts';
import { within } from '../support/wait.ts';

let lab: CheckedWorkshop;
const clients: ResultsClient[] = [];

before(async () => {
  lab = await startCheckedWorkshop();
});

after(async () => {
  for (const client of clients) client.close();
  await lab?.close();
});

async function open(options: { token?: string } = {}): Promise<ResultsClient> {
  const client = await ResultsClient.open(lab.server.url, options);
  clients.push(client);
  return client;
}

test('a page receives every step, then the step flips with the service, and back with the reason', async () => {
  const page = await open();
  const [createStep, manualStep] = lab.stepIds;
  const first = page.messages[0];
  assert.equal(first?.type, 'results', 'the whole state comes first');
  assert.deepEqual([...page.results.keys()], [createStep, manualStep]);
  assert.equal(page.results.get(createStep)!.origin, 'specified');
  assert.equal(page.results.get(manualStep)!.selfReported, true);

  const missing = `service \`${lab.service}\` does not exist`;
  assert.equal((await page.until(createStep, (r) => r.status === 'failed')).reason, missing);
  assert.equal(page.engine?.reachable, true);

  await lab.createService();
  const passed = await page.until(createStep, (r) => r.status === 'passed');
  assert.match(passed.reason, /1\/1 tasks? running/);

  await lab.removeService();
  assert.equal((await page.until(createStep, (r) => r.status === 'failed')).reason, missing);
});

test('"I did it" passes a manual step as self-reported, for every page of the environment; it can be taken back', async () => {
  const [, manualStep] = lab.stepIds;
  const [a, b] = [await open(), await open()];
  assert.notEqual(a.results.get(manualStep)!.status, 'passed');
  a.send({ type: 'confirm', stepId: manualStep, confirmed: true });
  const seenByB = await b.until(manualStep, (r) => r.status === 'passed');
  assert.equal(seenByB.confirmed, true);
  assert.equal(seenByB.selfReported, true);
  a.send({ type: 'confirm', stepId: manualStep, confirmed: false });
  assert.equal((await b.until(manualStep, (r) => r.status !== 'passed')).confirmed, false);
});

test('"check now" re-reads the engine, and a read-only watcher may not act', async () => {
  const page = await open();
  const before = lab.checks.watch.apiCalls;
  page.send({ type: 'check-now' });
  await page.waitFor(() => (lab.checks.watch.apiCalls > before ? true : undefined), 5000);

  const watcher = await open({ token: 'watcher-token' });
  assert.equal(watcher.messages[0]?.type, 'results', 'watchers see the results');
  watcher.send({ type: 'confirm', stepId: lab.stepIds[1], confirmed: true });
  const refusal = await watcher.waitFor(() => watcher.messages.find((m) => m.type === 'refused'), 5000);
  assert.match(refusal.type === 'refused' ? refusal.message : '', /only watches/);
  assert.notEqual(watcher.results.get(lab.stepIds[1])!.confirmed, true);
});

test('opening more pages asks the engine nothing more', async () => {
  await lab.checks.watch.refresh();
  const before = lab.checks.watch.apiCalls;
  const pages = await Promise.all(Array.from({ length: 10 }, () => open()));
  assert.ok(pages.every((page) => page.messages[0]?.type === 'results'));
  assert.equal(lab.checks.watch.apiCalls, before);
});

test('a socket from another origin is refused', async () => {
  const url = new URL(resultsPath, lab.server.url);
  const status = await within(
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { origin: 'http://evil.example' } });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => reject(new Error('opened')));
      socket.once('error', reject);
    }),
    10_000,
    () => 'an answer to the upgrade from another origin',
  );
  assert.equal(status, 403);
});

test('an edited check spec is read again and the results follow it', async () => {
  const page = await open();
  const [createStep] = lab.stepIds;
  const specFile = join(lab.dir, 'exercises', 'lab.yml');
  const original = readFileSync(specFile, 'utf8');
  const renamed = `${lab.service}-renamed`;
  try {
    writeFileSync(specFile, original.replace(`service: ${lab.service}`, `service: ${renamed}`));
    assert.equal((await page.until(createStep, (r) => r.reason.includes(renamed))).reason, `service \`${renamed}\` does not exist`);
  } finally {
    writeFileSync(specFile, original);
  }
  await page.until(createStep, (r) => r.reason === `service \`${lab.service}\` does not exist`);
});
