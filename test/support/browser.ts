// The one way tests start a browser: Debian's Chromium driven by playwright-core (never a downloaded browser).
// A missing Chromium is a failure, not a skip: CI must prove the browser parts work.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.LABDECK_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The features playwright-core turns off (its chromiumSwitches.ts, this version). Chromium keeps only the last
 * `--disable-features` of its command line, so the one below, passed after Playwright's, must hold them all:
 * test/e2e/chromium.test.ts compares this list with what Playwright passes.
 */
export const playwrightDisabledFeatures = [
  'AimEnabled',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsFirstBalancedModeAutoEnable',
  'HttpsUpgrades',
  'LensOverlay',
  'MediaRouter',
  'NetworkTimeServiceQuerying',
  'OptimizationHints',
  'PaintHolding',
  'PreconnectToSearch',
  'TcpPortRandomizationWin',
  'ThirdPartyStoragePartitioning',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  'msForceBrowserSignIn',
];

/**
 * The address bar's popup, a WebUI page that Chromium loads, in a renderer of its own, for every new window: every
 * test page is one (a context each). While a replay opened it took 800 ms of CPU, more than the page itself, on this
 * 2-core machine (bench/replay.ts, Chromium's trace). Puppeteer turns it off by default too.
 */
export const omniboxPopupFeatures = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      `--disable-features=${[...playwrightDisabledFeatures, ...omniboxPopupFeatures].join(',')}`,
    ],
  });
}
