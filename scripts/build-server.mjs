#!/usr/bin/env node
// Compiles the labdeck command (src/, without src/client/) to dist/: what bin/labdeck.js runs, so that no start pays
// for a TypeScript compiler. Our own code is bundled (one file per command, loaded when that command runs: every
// `import()` in src/ is a split point); npm dependencies stay external, resolved from node_modules as usual.
// The skeleton that `labdeck init` copies goes beside it (dist/templates/), where cli.ts looks for it.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Readable output: a stack trace from a user's machine points at code a person can read, without source maps.
  minify: false,
  chunkNames: 'chunks/[name]-[hash]',
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
cpSync(`${root}/src/templates`, `${root}/dist/templates`, { recursive: true });
