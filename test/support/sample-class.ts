// The sample workshop served as a class (`labdeck serve --classroom`, compiled, as a user runs it) with a Chromium
// beside it: what the accessibility, keyboard, screen reader and small screen tests share. Started in a file's own
// `before` hook and stopped in its `after` (Node 20 runs a file's root `before` hooks side by side, so a helper
// cannot register one of its own and be sure it ran first).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { assertClientBundle } from './client-bundle.ts';
import { startServedCli, type ServedCli } from './served-cli.ts';
import { repoRoot } from '../cli/run-cli.ts';

export interface SampleClass {
  readonly served: ServedCli;
  readonly browser: Browser;
  stop(): Promise<void>;
}

export async function startSampleClass(name: string): Promise<SampleClass> {
  assertClientBundle();
  const dataDir = await mkdtemp(join(tmpdir(), `labdeck-${name}-`));
  const served = await startServedCli([join(repoRoot, 'workshop.yml'), '--classroom', '--data', dataDir, '--port', '0'], { cwd: repoRoot, startTimeoutMs: 30_000 });
  const browser = await launchChromium().catch(async (error: unknown) => {
    await served.stop();
    throw error;
  });
  return {
    served,
    browser,
    async stop() {
      await browser.close();
      await served.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
