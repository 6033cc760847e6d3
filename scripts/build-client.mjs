#!/usr/bin/env node
// Builds the browser code: src/client/main.ts → public/build/labdeck.js, src/client/terminals-bundle.ts →
// public/build/labdeck-terminals.js (xterm.js and the terminal pane, which the page loads after its first slide is
// shown: see src/client/terminals-loader.ts), public/labdeck.css → public/build/labdeck.css and the slides' default
// theme, public/default-theme.css → public/build/default-theme.css; the replay page's script and style
// (build/replay.*). Classic scripts, not
// modules, so that the deck page also works from file://, where module scripts are blocked.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const common = {
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  target: ['chrome110', 'firefox110', 'safari16'],
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/client/main.ts'],
    outfile: 'public/build/labdeck.js',
    format: 'iife',
    tsconfig: 'src/client/tsconfig.json',
  }),
  build({
    ...common,
    entryPoints: ['src/client/terminals-bundle.ts'],
    outfile: 'public/build/labdeck-terminals.js',
    format: 'iife',
    tsconfig: 'src/client/tsconfig.json',
  }),
  // The instructor dashboard (serve --classroom) is its own page: attendees never download it.
  build({
    ...common,
    entryPoints: ['src/client/dashboard.ts'],
    outfile: 'public/build/dashboard.js',
    format: 'iife',
    tsconfig: 'src/client/tsconfig.json',
  }),
  // The replay page (a class replayed, /replay/<attendee>): its own page, as the dashboard is.
  build({
    ...common,
    entryPoints: ['src/client/replay-page.ts'],
    outfile: 'public/build/replay.js',
    format: 'iife',
    tsconfig: 'src/client/tsconfig.json',
  }),
  // xterm.js for it, loaded beside it: the page opens before xterm.js is even parsed (src/client/replay-xterm-loader.ts).
  build({
    ...common,
    entryPoints: ['src/client/replay-xterm.ts'],
    outfile: 'public/build/replay-xterm.js',
    format: 'iife',
    tsconfig: 'src/client/tsconfig.json',
  }),
  build({ ...common, entryPoints: ['public/labdeck.css'], outfile: 'public/build/labdeck.css' }),
  // Slides' look for decks without their own stylesheet: the page disables it when a deck has one (src/http/page.ts).
  build({ ...common, entryPoints: ['public/default-theme.css'], outfile: 'public/build/default-theme.css' }),
  build({ ...common, entryPoints: ['public/replay.css'], outfile: 'public/build/replay.css' }),
]);
