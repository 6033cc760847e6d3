// Proves a real Chromium starts here and runs a page's script served from loopback. Every browser test builds on
// this; when it fails, CI has not provisioned Chromium (see .ci/run). It also checks the flags every test's Chromium
// starts with (test/support/browser.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { launchChromium, omniboxPopupFeatures, playwrightDisabledFeatures } from '../support/browser.ts';

test('Chromium loads a page from 127.0.0.1 and runs its script', async () => {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end('<!doctype html><title>probe</title><p id="out">static</p><script>out.textContent = 6 * 7</script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(await page.title(), 'probe');
    assert.equal(await page.textContent('#out'), '42');
  } finally {
    await browser.close();
    server.close();
  }
});

test('the browser tests start Chromium with Playwright’s disabled features and without the address bar’s WebUI popup', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>probe</title>');
    // Chromium passes the features it resolved to its renderers: what it applies, whatever its own command line says.
    const renderers = await waitForRenderers(process.pid, 10_000);
    const browserProcess = commandLinesUnder(process.pid).find((args) => args.includes('--remote-debugging-pipe') && !args.some((arg) => arg.startsWith('--type=')));
    assert.ok(browserProcess, 'the browser process was not found among this process’s children');
    // Playwright's list comes first: Chromium applies only the last one (ours).
    const passedByPlaywright = disabledFeaturesOf(browserProcess);
    assert.deepEqual(
      passedByPlaywright.filter((name) => !playwrightDisabledFeatures.includes(name)),
      [],
      'Playwright disables features that playwrightDisabledFeatures (test/support/browser.ts) lacks: add them',
    );
    for (const args of renderers) {
      assert.ok(!args.includes('--top-chrome-webui'), `a top-chrome WebUI renderer runs: ${args.join(' ').slice(0, 200)}`);
      const applied = disabledFeaturesOf(args);
      for (const name of [...playwrightDisabledFeatures, ...omniboxPopupFeatures]) assert.ok(applied.includes(name), `${name} is not disabled in a renderer`);
    }
  } finally {
    await browser.close();
  }
});

/** The features the first `--disable-features` of `args` names. */
function disabledFeaturesOf(args: readonly string[]): string[] {
  const switchName = '--disable-features=';
  return (
    args
      .find((arg) => arg.startsWith(switchName))
      ?.slice(switchName.length)
      .split(',') ?? []
  );
}

/** The command lines (argument lists) of the processes descending from `root`. */
function commandLinesUnder(root: number): string[][] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // The stat line's fields after the command's parenthesised name: state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const descends = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) if (parent === root) return true;
    return false;
  };
  const lines: string[][] = [];
  for (const pid of parents.keys()) {
    if (!descends(pid)) continue;
    try {
      // Chromium retitles its child processes: their arguments become one string, separated by spaces.
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter(Boolean));
    } catch {
      // Gone meanwhile.
    }
  }
  return lines;
}

async function waitForRenderers(root: number, timeoutMs: number): Promise<string[][]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const renderers = commandLinesUnder(root).filter((args) => args.includes('--type=renderer'));
    if (renderers.length > 0) return renderers;
    if (Date.now() > deadline) throw new Error(`no Chromium renderer process under pid ${root} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
