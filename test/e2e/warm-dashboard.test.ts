// The instructor's dashboard shows the class's warm seats, in a real Chromium against a real `labdeck serve
// --classroom` process whose environment is `swarm` with `warm: 1` (a real sandbox on the machine's swarm): one seat
// ready; an attendee joins and claims it; the server refills the pool, and the dashboard follows each step.
// test-runner: alone (it boots sandboxes)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { launchChromium } from '../support/browser.ts';
import { within } from '../support/wait.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { removeClassLeftovers } from '../support/class-sandboxes.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const folder = mkdtempSync(join(tmpdir(), 'labdeck-warm-e2e-'));
const manifest = join(folder, 'workshop.yml');
let browser: Browser;
let server: ChildProcess | undefined;
let classCode = '';

writeFileSync(
  manifest,
  [
    'title: Warm',
    'chapters: [a.md]',
    'classroom:',
    '  data: .class',
    '  environment: { provider: swarm, memory: 768m, images: [labdeck/busybox], warm: 1 }',
    'terminals:',
    '  shell: local',
    '',
  ].join('\n'),
);
writeFileSync(join(folder, 'a.md'), '# A\n');

before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    await ensureSandboxImage(docker, {});
    browser = await launchChromium();
  },
  { timeout: 900_000 },
);

after(async () => {
  server?.kill('SIGTERM');
  await browser?.close();
  await runLabdeck(['env', 'down', '--workshop', manifest]).catch(() => {});
  await removeClassLeftovers(docker, classCode || 'none');
  rmSync(folder, { recursive: true, force: true });
});

test('the dashboard shows the warm seats: ready, then claimed by a joining attendee, then refilled', { timeout: 300_000 }, async () => {
  server = spawn(process.execPath, [join(repoRoot, 'bin/labdeck.js'), 'serve', manifest, '--classroom', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stderr!.on('data', (chunk: Buffer) => {
    output += String(chunk);
  });
  const urls = await within(
    new Promise<{ url: string; joinUrl: string; dashboardUrl: string }>((resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += String(chunk);
        const url = /serving \d+ slides at (http:\/\/\S+\/)/.exec(output)?.[1];
        const joinUrl = /join at (http:\/\/\S+)/.exec(output)?.[1];
        const dashboardUrl = /dashboard \(instructor\): (http:\/\/\S+)/.exec(output)?.[1];
        if (url && joinUrl && dashboardUrl) resolve({ url, joinUrl, dashboardUrl });
      });
    }),
    30_000,
    () => `serve's URLs; it printed: ${JSON.stringify(output)}`,
  );
  classCode = new URL(urls.joinUrl).searchParams.get('code') ?? '';
  const dashboard = await (await browser.newContext()).newPage();
  await dashboard.goto(urls.dashboardUrl);
  const seats = dashboard.locator('#seats');
  const shows = async (text: RegExp, ms: number): Promise<void> => {
    await dashboard
      .waitForFunction((source) => new RegExp(source).test(document.getElementById('seats')?.textContent ?? ''), text.source, { timeout: ms })
      .catch(async () => assert.fail(`the dashboard's seats never showed ${text}: saw ${JSON.stringify(await seats.textContent())}; the server said:\n${output}`));
  };
  // The server fills the pool as it starts: warming, then ready.
  await shows(/warm seats: 1 ready, 0 warming, 0 claimed \(keeps 1\)/, 120_000);
  assert.equal(await seats.isVisible(), true);

  const joined = await fetch(new URL('/join', urls.url), { method: 'POST', redirect: 'manual', body: new URLSearchParams({ code: classCode, name: 'Ada' }) });
  assert.equal(joined.status, 303);
  // Ada has the seat; the pool makes another, and the dashboard follows.
  await shows(/, 1 claimed \(keeps 1\)/, 30_000);
  await shows(/warm seats: 1 ready, 0 warming, 1 claimed \(keeps 1\)/, 120_000);
  assert.match(output, /warm seat seat-[0-9a-f]+ claimed/);
});
