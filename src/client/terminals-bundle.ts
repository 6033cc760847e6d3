// Entry point of the terminals bundle (public/build/labdeck-terminals.js), loaded by src/client/terminals-loader.ts.
import { startTerminals } from './terminals.ts';
import { installReplayEmbeds } from './replay-embed.ts';
import { terminalsBundleGlobal, type TerminalsBundle } from './terminals-loader.ts';

const bundle: TerminalsBundle = { startTerminals, installReplayEmbeds };
(window as unknown as Record<string, TerminalsBundle>)[terminalsBundleGlobal] = bundle;
