// xterm.js for the replay page, which loads it as a bundle of its own (build/replay-xterm.js, an `async` script of
// the page: src/http/replay-page.ts). In one bundle with the player, it held the page back: Chromium parses a
// script wholly before running it, and parsing xterm.js's 330 KiB took 100 ms and more on the reference machine
// (bench/replay.ts, Chromium's trace), while the page needs no terminal until something is played.
import { replayXtermScriptId } from '../protocol.ts';
import type { TerminalClass } from './replay-player.ts';
import { pageElement } from './page-element.ts';

/** Where build/replay-xterm.js puts xterm.js's Terminal class. */
export const replayXtermGlobal = 'labdeckReplayXterm';

/** xterm.js's Terminal class, once the page's replay-xterm.js script has run. */
export function loadReplayXterm(): Promise<TerminalClass> {
  const loaded = (): TerminalClass | undefined => (window as unknown as Record<string, TerminalClass | undefined>)[replayXtermGlobal];
  const now = loaded();
  if (now) return Promise.resolve(now);
  const script = pageElement(replayXtermScriptId) as HTMLScriptElement;
  const failure = new Error(`The terminal player (${script.src}) could not be loaded: reload the page.`);
  if (document.readyState === 'complete') return Promise.reject(failure);
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      const terminal = loaded();
      if (terminal) resolve(terminal);
      else reject(failure);
    };
    script.addEventListener('load', settle);
    script.addEventListener('error', settle);
    // The page's load event waits for its async scripts: it also settles a script that failed before this was called.
    window.addEventListener('load', settle);
  });
}
