// A class in a real Chromium against a real `labdeck serve --classroom` process: two attendees join from two browser
// contexts and show up on the instructor's dashboard; then the server is SIGKILLed mid-class and restarted on the same
// data folder: attendees, their progress and their cookies are all still good.
// It compares progress (step results from the engine) before and after the restart: another file's services would
// change it in between, so it runs alone.
// test-runner: alone
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { reusablePort } from '../support/ports.ts';
import { startTimeOf } from '../support/processes.ts';
import { within } from '../support/wait.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';

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
    // The attendees' login shells get a home of their own (test/support/served-cli.ts says why).
    env: { ...process.env, HOME: testEnvironment().HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = child;
  let output = '';
  const started = new Promise<Served>((resolve, reject) => {
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
  return within(started, 30_000, () => `serve's URLs; it printed: ${JSON.stringify(output)}`);
}

async function joinAs(page: Page, joinUrl: string, name: string): Promise<void> {
  await page.goto(joinUrl);
  await page.fill('input[name=name]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('#labdeck-slides .labdeck-slide, #labdeck-slides > *');
}

function dashboardNames(page: Page): Promise<string[]> {
  return page.$$eval('#board tbody .dash-name', (cells) => cells.map((cell) => cell.textContent ?? ''));
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

test('two attendees join, show up on the dashboard, and survive a SIGKILL of the server', { timeout: 120_000 }, async () => {
  // The restart must get the same port back (the pages reconnect to it): one no other process is handed meanwhile.
  const port = await reusablePort();
  const first = await serve(port);
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
  assert.ok(
    recorded.attendees.every((a) => a.steps.length > 0),
    'each attendee has step results',
  );

  const killed = new Promise((resolve) => first.process.once('exit', resolve));
  first.process.kill('SIGKILL');
  await within(killed, 10_000, () => `the SIGKILLed server (pid ${first.process.pid}) to exit`);
  const second = await serve(port);
  assert.equal(second.joinUrl, first.joinUrl, 'same class code after the restart');
  assert.equal(second.dashboardUrl, first.dashboardUrl, 'same instructor token after the restart');

  const back = await bob.goto(second.url);
  assert.equal(back?.status(), 200, "the attendee's cookie still works");
  assert.equal(new URL(bob.url()).pathname, '/');
  await instructor.waitForFunction(
    (count) => document.querySelectorAll('#board tbody tr').length === count && document.getElementById('status')?.textContent?.includes('attendee'),
    2,
  );
  assert.deepEqual((await dashboardNames(instructor)).sort(), [...names].sort());

  const afterRestart = JSON.parse((await runLabdeck(['progress', manifest, '--data', dataDir, '--json'])).stdout) as typeof recorded;
  assert.deepEqual(
    afterRestart.attendees.map((a) => a.steps),
    recorded.attendees.map((a) => a.steps),
    'progress intact',
  );
});

/** What an xterm shows (its DOM renderer's rows). */
const screenText = (page: Page, rows: string): Promise<string> => page.locator(rows).innerText();
const attendeeScreen = '.labdeck-terminal:not([hidden]) .xterm-rows';
const viewerScreen = '.dash-viewer-screen .xterm-rows';

async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<void> {
  await page
    .waitForFunction(
      ([css, source]) => new RegExp(source!).test((document.querySelector(css!) as HTMLElement | null)?.innerText ?? ''),
      [selector, pattern.source] as const,
      { timeout: 15_000 },
    )
    .catch(async (error: unknown) => {
      const shown = await page.evaluate((css) => (document.querySelector(css) as HTMLElement | null)?.innerText ?? '(nothing)', selector);
      assert.fail(`${pattern} not shown in ${selector} within 15 s (${String(error)}); it showed:\n${shown}`);
    });
}

test('the dashboard live: slide and last command per attendee, a terminal watched then helped, broadcast, everyone to my slide', { timeout: 90_000 }, async () => {
  running?.kill('SIGKILL');
  const served = await serve(0);
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const hostile = '<img src=x onerror=alert(1)>';
  await joinAs(ada, served.joinUrl, hostile);
  await joinAs(bob, served.joinUrl, 'Bob the second');
  const instructorContext = await browser.newContext();
  const deck = await instructorContext.newPage();
  await deck.goto(`${served.url}?token=${new URL(served.dashboardUrl).searchParams.get('token')}#3`);
  await deck.waitForSelector('.labdeck-follow[data-state="leading"]');
  const dashboard = await instructorContext.newPage();
  await dashboard.goto(served.dashboardUrl);
  const row = (name: string) => dashboard.locator('#board tbody tr', { has: dashboard.locator('.dash-name', { hasText: name }) });
  await row(hostile).waitFor();
  assert.equal(await dashboard.$$eval('#board img', (found) => found.length), 0, 'the name is text, not markup');
  assert.ok(await dashboard.locator('.dash-join svg').count(), 'the join QR code is on the dashboard');

  // Where each attendee is: the instructor moves, followers follow, the dashboard shows both.
  await deck.keyboard.press('ArrowRight');
  await ada.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '4');
  await dashboard.waitForFunction(
    (name) =>
      Array.from(document.querySelectorAll('#board tbody tr')).some(
        (tr) => tr.querySelector('.dash-name')?.textContent === name && /^4( ·|$)/.test(tr.querySelector('.dash-slide')?.textContent ?? ''),
      ),
    hostile,
  );
  assert.match(await row('Bob the second').locator('.dash-slide').innerText(), /^4( ·|$)/);
  assert.match(await dashboard.locator('#follow-status').innerText(), /slide 4/);

  // The attendee's last command and its exit code.
  await ada.waitForSelector('html[data-labdeck-terminals="ready"]');
  await waitForText(ada, attendeeScreen, /[$#] *$/m);
  await ada.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
  await ada.keyboard.type('echo ada-was-$((40+2))');
  await ada.keyboard.press('Enter');
  await waitForText(ada, attendeeScreen, /ada-was-42/);
  await dashboard.waitForFunction(
    (name) =>
      Array.from(document.querySelectorAll('#board tbody tr')).some(
        (tr) => tr.querySelector('.dash-name')?.textContent === name && /✔ echo ada-was/.test(tr.querySelector('.dash-command')?.textContent ?? ''),
      ),
    hostile,
  );

  // Watch read-only: keys typed into the viewer go nowhere; then, with the explicit action, they reach the shell.
  await row(hostile).locator('.dash-name').click();
  await waitForText(dashboard, '.dash-viewer-status', /Watching shell \(read-only\)/);
  await waitForText(dashboard, viewerScreen, /ada-was-42/);
  await dashboard.locator('.dash-viewer-screen .xterm-helper-textarea').focus();
  await dashboard.keyboard.type('echo watcher-typed');
  await dashboard.getByRole('button', { name: 'Type into this terminal' }).click();
  await waitForText(dashboard, '.dash-viewer-status', /Typing into shell/);
  await dashboard.locator('.dash-viewer-screen .xterm-helper-textarea').focus();
  await dashboard.keyboard.type('echo helped-by-$((6*7))');
  await dashboard.keyboard.press('Enter');
  await waitForText(ada, attendeeScreen, /helped-by-42/);
  assert.doesNotMatch(await screenText(ada, attendeeScreen), /watcher-typed/, 'nothing was typed while watching');
  await waitForText(dashboard, viewerScreen, /helped-by-42/);

  // A broadcast message: shown as text on the attendee pages, dismissable.
  await dashboard.fill('#broadcast-text', 'Break <b>now</b>');
  await dashboard.click('#broadcast button[type=submit]');
  await ada.waitForSelector('.labdeck-broadcast:not([hidden])');
  assert.equal(await ada.locator('.labdeck-broadcast-text').innerText(), 'Break <b>now</b>');
  assert.equal(await ada.locator('.labdeck-broadcast b').count(), 0);
  await bob.waitForSelector('.labdeck-broadcast:not([hidden])');
  await ada.click('.labdeck-broadcast-dismiss');
  await ada.waitForSelector('.labdeck-broadcast', { state: 'hidden' });

  // Bob leaves follow mode; "everyone to my slide" brings him back, following again.
  await bob.locator('body').click({ position: { x: 5, y: 5 } });
  await bob.keyboard.press('l');
  await bob.waitForSelector('.labdeck-follow[data-state="free"]');
  await bob.keyboard.press('ArrowLeft');
  await bob.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '3');
  await dashboard.waitForFunction(() => Array.from(document.querySelectorAll('#board tbody tr .dash-slide.free')).length > 0);
  await dashboard.click('#gather');
  await bob.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '4');
  assert.equal(await bob.getAttribute('.labdeck-follow', 'data-state'), 'following');

  // Pause: the attendee pages say so, and the instructor's moves stay on the instructor's screen.
  await dashboard.click('#pause');
  await ada.waitForFunction(() => document.querySelector('.labdeck-follow')?.textContent?.includes('paused'));
  await deck.keyboard.press('ArrowRight');
  await dashboard.waitForFunction(() => /slide 5/.test(document.getElementById('follow-status')?.textContent ?? ''));
  assert.equal(await ada.evaluate(() => document.documentElement.dataset.labdeckSlide), '4', 'paused: not moved');
  await dashboard.click('#pause');
  await ada.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '5');
});

test('the instructor removes an attendee: after a confirmation, their row goes, their page says so, their link gets 401, their progress is gone', {
  timeout: 90_000,
}, async () => {
  running?.kill('SIGKILL');
  const served = await serve(0);
  const ada = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await joinAs(ada, served.joinUrl, 'Ada twice');
  await joinAs(bob, served.joinUrl, 'Bob stays');
  await ada.waitForSelector('html[data-labdeck-terminals="ready"]');
  await waitForText(ada, attendeeScreen, /[$#] *$/m);
  await ada.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
  await ada.keyboard.type('echo shell-pid-$$');
  await ada.keyboard.press('Enter');
  await waitForText(ada, attendeeScreen, /shell-pid-\d+/);
  const shellPid = Number(/shell-pid-(\d+)/.exec(await screenText(ada, attendeeScreen))![1]);
  const shellStart = startTimeOf(shellPid);
  assert.ok(shellStart, `the shell (pid ${shellPid}) runs`);
  const adaCookie = (await ada.context().cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  const dashboard = await (await browser.newContext()).newPage();
  await dashboard.goto(served.dashboardUrl);
  // The class also has the attendees of the tests before (same data folder).
  await dashboard.waitForFunction(() =>
    ['Ada twice', 'Bob stays'].every((name) => Array.from(document.querySelectorAll('#board .dash-name')).some((cell) => cell.textContent === name)),
  );
  const others = (await dashboardNames(dashboard)).filter((name) => name !== 'Ada twice').sort();
  const remove = dashboard.getByRole('button', { name: 'Remove Ada twice from the class' });

  // Dismissing the confirmation removes nobody.
  dashboard.once('dialog', (dialog) => void dialog.dismiss());
  await remove.click();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual((await dashboardNames(dashboard)).sort(), [...others, 'Ada twice'].sort());

  let question = '';
  dashboard.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await remove.click();
  await dashboard.waitForFunction((count) => document.querySelectorAll('#board tbody tr').length === count, others.length);
  assert.match(question, /^Remove Ada twice from the class\?/);
  assert.deepEqual((await dashboardNames(dashboard)).sort(), others);
  assert.match(await dashboard.locator('#status').innerText(), new RegExp(`^${others.length} attendees? `));

  // The page says why it lost its connections, instead of retrying for ever.
  await ada.waitForSelector('.labdeck-broadcast:not([hidden])');
  assert.match(await ada.locator('.labdeck-broadcast-text').innerText(), /no longer in this class/);
  assert.equal(await bob.locator('.labdeck-broadcast:not([hidden])').count(), 0);
  assert.equal((await fetch(served.url, { headers: { cookie: adaCookie } })).status, 401, "the removed attendee's link no longer works");
  // The 401 the page met cleared the dead cookie: a reload leads to the join page.
  await ada.reload();
  assert.equal(new URL(ada.url()).pathname, '/join');
  // The same process, not merely the same pid: a freed pid may already belong to another process.
  const alive = (): boolean => startTimeOf(shellPid) === shellStart;
  for (let waited = 0; alive(); waited += 100) {
    assert.ok(waited < 5000, `the removed attendee's shell (pid ${shellPid}) is still running`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal((await bob.reload())?.status(), 200, 'the others are untouched');
  const progress = JSON.parse((await runLabdeck(['progress', manifest, '--data', dataDir, '--json'])).stdout) as { attendees: { name: string }[] };
  assert.ok(!progress.attendees.some((attendee) => attendee.name === 'Ada twice'), 'her progress is deleted');
  assert.ok(progress.attendees.some((attendee) => attendee.name === 'Bob stays'));
});

test('two attendees with the same name are both flagged in words, with their join time and id to tell them apart', { timeout: 90_000 }, async () => {
  running?.kill('SIGKILL');
  const served = await serve(0);
  const code = new URL(served.joinUrl).searchParams.get('code') ?? '';
  const join = async (name: string): Promise<void> => {
    const response = await fetch(new URL('/join', served.url), { method: 'POST', redirect: 'manual', body: new URLSearchParams({ code, name }) });
    assert.equal(response.status, 303, `${name} joins`);
  };
  await join('Twin');
  await join(' TWIN\u200B');
  const dashboard = await (await browser.newContext()).newPage();
  await dashboard.goto(served.dashboardUrl);
  const flags = (): Promise<{ name: string; flag: string; hidden: boolean; title: string }[]> =>
    dashboard.$$eval('#board tbody tr', (rows) =>
      rows
        .filter((row) => /^twin$/i.test(row.querySelector('.dash-name')?.textContent ?? ''))
        .map((row) => {
          const flag = row.querySelector<HTMLElement>('.dash-same-name');
          return { name: row.querySelector('.dash-name')?.textContent ?? '', flag: flag?.textContent ?? '', hidden: flag?.hidden ?? true, title: flag?.title ?? '' };
        }),
    );
  await dashboard
    .waitForFunction(() => document.querySelectorAll('#board .dash-same-name:not([hidden])').length >= 2)
    .catch(async () => {
      assert.fail(`both twins flagged: saw ${JSON.stringify(await flags())}`);
    });
  const twins = await flags();
  assert.deepEqual(
    twins.map(({ name, flag, hidden }) => ({ name, flag, hidden })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    [
      { name: 'TWIN', flag: '(2 with this name)', hidden: false },
      { name: 'Twin', flag: '(2 with this name)', hidden: false },
    ],
    'the invisible character went at the join; case does not tell them apart',
  );
  for (const twin of twins) assert.match(twin.title, /^This one joined at .+, id a-[0-9a-f]+$/);
  assert.notEqual(twins[0]!.title, twins[1]!.title);
  // A row for each, the flag in words (not colour alone) next to the name.
  assert.equal(await dashboard.locator('.dash-same-name:not([hidden])').first().isVisible(), true);
});
