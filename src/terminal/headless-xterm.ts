// xterm.js without a screen (@xterm/headless and its serialize addon), for the live mirror and the replays'
// keyframes: loaded at the first use rather than when labdeck starts, since `serve`'s first page needs no terminal
// (bench/startup.ts times that start; test/cli/serve-start.test.ts checks what it loads).
import { createRequire } from 'node:module';
import type headless from '@xterm/headless';
import type serialize from '@xterm/addon-serialize';

interface Xterm {
  readonly headless: typeof headless;
  readonly serialize: typeof serialize;
}

let xtermLoaded: Xterm | undefined;

/** Both packages, loaded once, at the first call. */
export function xterm(): Xterm {
  if (!xtermLoaded) {
    const load = createRequire(import.meta.url);
    xtermLoaded = { headless: load('@xterm/headless') as typeof headless, serialize: load('@xterm/addon-serialize') as typeof serialize };
  }
  return xtermLoaded;
}
