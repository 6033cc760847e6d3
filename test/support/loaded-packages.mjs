// Preloaded into a labdeck process by a test (`node --import`): writes the npm packages whose modules that process has
// loaded so far (CommonJS ones, which is how node-pty, @xterm/headless and better-sqlite3 load, also when imported from
// an ES module) to the file $LABDECK_TEST_LOADED_PACKAGES, one per line, on SIGUSR2 and at exit.
import { writeFileSync } from 'node:fs';
import Module from 'node:module';

const file = process.env.LABDECK_TEST_LOADED_PACKAGES;

function writeLoadedPackages() {
  const packages = new Set();
  for (const path of Object.keys(Module._cache)) {
    // The package the file belongs to: the one after the last node_modules/ of its path.
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path)?.[1];
    if (name) packages.add(name);
  }
  if (file) writeFileSync(file, [...packages].sort().join('\n') + '\n');
}

process.on('SIGUSR2', writeLoadedPackages);
process.on('exit', writeLoadedPackages);
