// Entry point of the replay page's xterm.js bundle (build/replay-xterm.js), loaded by the page with `async` beside
// replay.js: the player opens without it (a blank stands in for the terminal at 0:00) and takes it from the
// loader (replay-xterm-loader.ts) when it first needs a terminal.
import { Terminal } from '@xterm/xterm';
import { replayXtermGlobal } from './replay-xterm-loader.ts';

(window as unknown as Record<string, unknown>)[replayXtermGlobal] = Terminal;
