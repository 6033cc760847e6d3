// Where `serve` lets a class keep its data (tokens, progress): never in the folder it publishes, unless hidden.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refuseServedDataFolder } from '../../src/commands/serve-data-folder.ts';
import { LabdeckError } from '../../src/errors.ts';

let base: string;
let workshop: string;

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'labdeck-data-folder-')));
  workshop = join(base, 'workshop');
  await mkdir(join(workshop, 'data'), { recursive: true });
  await symlink(join(workshop, 'data'), join(base, 'link-to-data'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

const refusal = (dataDir: string): string | undefined => {
  try {
    refuseServedDataFolder(dataDir, workshop);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof LabdeckError, String(error));
    return error.message;
  }
};

test('a data folder inside the workshop folder is refused, naming both folders and what to do', { timeout: 5000 }, () => {
  const message = refusal(join(workshop, 'data'));
  assert.ok(message, 'refused');
  assert.ok(message.includes(join(workshop, 'data')) && message.includes(workshop), message);
  assert.match(message, /--data/);
  assert.match(message, /dot/);
  assert.doesNotMatch(message, /\n/, 'one line');
});

test('the workshop folder itself, a folder not created yet and one reached through a symlink are refused', { timeout: 5000 }, () => {
  assert.ok(refusal(workshop));
  assert.ok(refusal(join(workshop, 'new', 'class')));
  assert.ok(refusal(join(base, 'link-to-data')));
});

test('a dot-folder inside the workshop (the default .labdeck/) and a folder outside it are fine', { timeout: 5000 }, () => {
  assert.equal(refusal(join(workshop, '.labdeck')), undefined);
  assert.equal(refusal(join(workshop, '.state', 'class')), undefined);
  assert.equal(refusal(join(base, 'class-data')), undefined);
  assert.equal(refusal(join(base, 'workshop-data')), undefined, 'a name starting like the workshop folder is not inside it');
});

test('a workshop folder inside the data folder is refused: nothing in the data folder is ever served', { timeout: 5000 }, () => {
  const message = refusal(base);
  assert.ok(message, 'refused');
  assert.ok(message.includes(base) && message.includes(workshop), message);
});
