// A class in a real Chromium against a real `labdeck serve --classroom` process: two attendees join from two browser
// contexts and show up on the instructor's dashboard; then the server is SIGKILLed mid-class and restarted on the same
// data folder: attendees, their progress and their cookies are all still good.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';

interface Served {
  readonly process: ChildProcess;
  readonly url: string;
  readonly joinUrl: string;
  readonly dashboardUrl: string;
}

let dataDir: string;
let browser: Browser;
let running: ChildProcess | undefined;
const manifest = join(repoRoot, 'workshop.yml');

/** Starts `labdeck serve --classroom` as its own process (SIGKILL must hit a real process) and reads its URLs. */
function serve(port: number): Promise<Served> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/labdeck.js'), 'serve', manifest, '--classroom', '--data', dataDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = child;
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const url = /serving \d+ slides at (http:\/\/\S+\/)/.exec(output)?.[1];
      const joinUrl = /join at (http:\/\/\S+)/.exec(output)?.[1];
      const dashboardUrl = /dashboard \(instructor\): (http:\/\/\S+)/.exec(output)?.[1];
      if (url && joinUrl && dashboardUrl) resolve({ process: child, url, joinUrl, dashboardUrl });
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
  });
}

async function joinAs(page: Page, joinUrl: string, name: string): Promise<void> {
  await page.goto(joinUrl);
  await page.fill('input[name=name]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('#labdeck-slides .labdeck-slide, #labdeck-slides > *');
}

function dashboardNames(page: Page): Promise<string[]> {
  return page.$$eval('#board tbody th', (cells) => cells.map((cell) => cell.textContent ?? ''));
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'labdeck-class-e2e-'));
  browser = await launchChromium();
});

after(async () => {
  running?.kill('SIGTERM');
  await browser?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('two attendees join, show up on the dashboard, and survive a SIGKILL of the server', { timeout: 60_000 }, async () => {
  const first = await serve(0);
  const port = Number(new URL(first.url).port);
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const names = ['Ada <i>L.</i>', 'Bob & "Co"'];
  await joinAs(ada, first.joinUrl, names[0]!);
  await joinAs(bob, first.joinUrl, names[1]!);
  assert.equal(new URL(ada.url()).pathname, '/');

  const instructor = await (await browser.newContext()).newPage();
  await instructor.goto(first.dashboardUrl);
  await instructor.waitForFunction((count) => document.querySelectorAll('#board tbody tr').length === count, 2);
  assert.deepEqual((await dashboardNames(instructor)).sort(), [...names].sort(), 'names shown as typed, not as markup');
  assert.equal(await instructor.$$eval('#board i', (found) => found.length), 0);
  // Attendees see a 403 page, not the dashboard.
  const denied = await ada.goto(first.dashboardUrl.replace(/\?token=.*/, ''));
  assert.equal(denied?.status(), 403);

  const before = await runLabdeck(['progress', manifest, '--data', dataDir, '--json']);
  const recorded = JSON.parse(before.stdout) as { attendees: { name: string; steps: unknown[] }[] };
  assert.deepEqual(recorded.attendees.map((a) => a.name).sort(), [...names].sort());
  assert.ok(recorded.attendees.every((a) => a.steps.length > 0), 'each attendee has step results');

  first.process.kill('SIGKILL');
  await new Promise((resolve) => first.process.once('exit', resolve));
  const second = await serve(port);
  assert.equal(second.joinUrl, first.joinUrl, 'same class code after the restart');
  assert.equal(second.dashboardUrl, first.dashboardUrl, 'same instructor token after the restart');

  const back = await bob.goto(second.url);
  assert.equal(back?.status(), 200, "the attendee's cookie still works");
  assert.equal(new URL(bob.url()).pathname, '/');
  await instructor.waitForFunction((count) => document.querySelectorAll('#board tbody tr').length === count && document.getElementById('status')?.textContent?.includes('attendee'), 2);
  assert.deepEqual((await dashboardNames(instructor)).sort(), [...names].sort());

  const afterRestart = JSON.parse((await runLabdeck(['progress', manifest, '--data', dataDir, '--json'])).stdout) as typeof recorded;
  assert.deepEqual(afterRestart.attendees.map((a) => a.steps), recorded.attendees.map((a) => a.steps), 'progress intact');
});
