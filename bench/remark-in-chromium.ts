// Times the real remark.js 0.14.1 (container.training's fork, as the conformance suite builds it) turning the
// same markdown into slides in Chromium: the peer the deck engine is compared with.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../test/support/browser.ts';
import { loadOfficialBundle, patchIntoFork } from '../test/conformance/reference.ts';

export interface RemarkTiming {
  /** remark.create(): lexing, parsing, markdown conversion, DOM of every slide. */
  readonly createMs: number;
  readonly slides: number;
}

export async function timeRemarkJs(markdown: string, excludedClasses: readonly string[], runs = 5): Promise<RemarkTiming[]> {
  const bundle = patchIntoFork(await loadOfficialBundle());
  const options = { ratio: '16:9', highlightSpans: true, slideNumberFormat: '%current%/%total%', excludedClasses };
  const page = `<!DOCTYPE html><meta charset="utf-8"><textarea id="source">${markdown}</textarea>
<script src="/remark.js"></script>
<script>
  const t0 = performance.now();
  remark.create(${JSON.stringify(options)});
  window.__timing = { createMs: performance.now() - t0, slides: document.querySelectorAll('.remark-slides-area > .remark-slide-container').length };
</script>`;
  const server = createServer((request, response) => {
    response.setHeader('content-type', request.url === '/remark.js' ? 'text/javascript' : 'text/html; charset=utf-8');
    response.end(request.url === '/remark.js' ? bundle : page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const timings: RemarkTiming[] = [];
    for (let run = 0; run < runs; run++) {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const handle = await tab.waitForFunction(() => (window as unknown as { __timing?: RemarkTiming }).__timing);
      timings.push((await handle.jsonValue()) as RemarkTiming);
      await tab.close();
    }
    return timings;
  } finally {
    await browser.close();
    server.close();
  }
}
