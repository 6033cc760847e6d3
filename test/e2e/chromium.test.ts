// Proves a real Chromium starts here and runs a page's script served from loopback. Every browser test builds on
// this; when it fails, CI has not provisioned Chromium (see .ci/run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../support/browser.ts';

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
