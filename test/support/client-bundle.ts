// The browser tests load the client bundle from public/build. They do not build it: rebuilding in place while
// another file's server serves it hands that file's pages a half-written script. scripts/run-tests.mjs builds it
// once before any test; a file run by hand (node --test) needs `npm run build` first, and is told so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-cli.ts';

const bundles = ['labdeck.js', 'labdeck-terminals.js', 'dashboard.js', 'labdeck.css', 'replay.js', 'replay-xterm.js', 'replay.css'];

export function assertClientBundle(): void {
  const missing = bundles.map((file) => join(repoRoot, 'public', 'build', file)).filter((path) => !existsSync(path));
  if (missing.length) throw new Error(`the client bundle is missing (${missing.join(', ')}): run \`npm run build\` first`);
}
