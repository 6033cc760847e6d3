// The errors below are the ones node-pty 1.1 and better-sqlite3 12 throw when their compiled part is missing
// (seen on an install whose allowScripts left their install scripts out), and when it was built for another Node.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeMissingNativeModule } from '../../src/commands/native-modules.ts';

const ptyMissing = new Error(
  "Failed to load native module: pty.node, checked: build/Release, build/Debug, prebuilds/linux-x64: Error: Cannot find module './prebuilds/linux-x64//pty.node'",
);
const sqliteMissing = new Error(
  'Could not locate the bindings file. Tried:\n → /p/node_modules/better-sqlite3/build/better_sqlite3.node\n → /p/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
);
const sqliteOtherNode = Object.assign(
  new Error(
    "The module '/p/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 127. This version of Node.js requires\nNODE_MODULE_VERSION 115.",
  ),
  { code: 'ERR_DLOPEN_FAILED' },
);

test('a missing compiled part is told as its fix, naming the package and what needs it', () => {
  const pty = describeMissingNativeModule(ptyMissing);
  assert.match(pty ?? '', /^node-pty is installed without its compiled part, which terminals/);
  assert.match(pty ?? '', /npm install-scripts approve node-pty && npm rebuild node-pty/);
  const sqlite = describeMissingNativeModule(sqliteMissing);
  assert.match(sqlite ?? '', /^better-sqlite3 is installed without its compiled part, which classes \(serve --classroom/);
  assert.match(describeMissingNativeModule(sqliteOtherNode) ?? '', /^better-sqlite3 has a compiled part that does not load in this Node\.js/);
  assert.ok(!(pty ?? '').includes('\n'), 'one line');
});

test('other errors are not mistaken for a missing native module', () => {
  assert.equal(describeMissingNativeModule(new Error('ENOENT: no such file, open workshop.yml')), undefined);
  assert.equal(describeMissingNativeModule(new Error('pty.node was used wrongly')), undefined, 'the file named, but not a load failure');
  assert.equal(describeMissingNativeModule('Failed to load native module: pty.node'), undefined, 'not an Error');
});
