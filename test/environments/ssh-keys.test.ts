// The class key pair in the data folder, made by the real ssh-keygen. A server and `labdeck env warm` (or
// `env up`) starting one class at the same moment must end with one pair: every sandbox gets the public half
// each caller returned, and ssh logs in with the private half on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classKeyFile, ensureClassKey } from '../../src/environments/ssh-keys.ts';

const publicHalf = (line: string): string => line.trim().split(/\s+/).slice(0, 2).join(' ');

test('callers at the same moment all get the one pair that stays on disk', { timeout: 30_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-keys-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const keys = await Promise.all(Array.from({ length: 6 }, () => ensureClassKey(root, 'C1')));
  const file = classKeyFile(root);
  const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
  for (const key of keys) assert.equal(publicHalf(key), publicHalf(derived), 'each caller got the public half of the private key on disk');
  assert.equal(publicHalf(readFileSync(`${file}.pub`, 'utf8')), publicHalf(derived));
  assert.match(keys[0] ?? '', /labdeck-class-C1/);
  assert.equal((statSync(file).mode & 0o777).toString(8), '600');
  assert.deepEqual(readdirSync(join(root, '.ssh')).sort(), ['class_ed25519', 'class_ed25519.pub'], 'no draft left behind');
  // Later calls read it.
  assert.equal(await ensureClassKey(root, 'C1'), keys[0]);
});

test('a private key left without its public half (a stop between the two) is kept, its public half made again', { timeout: 30_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-keys-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const first = await ensureClassKey(root, 'C2');
  const file = classKeyFile(root);
  rmSync(`${file}.pub`);
  assert.equal(publicHalf(await ensureClassKey(root, 'C2')), publicHalf(first));
});
