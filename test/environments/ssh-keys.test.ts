// The keys labdeck makes with the real ssh-keygen. The class key pair: a server and `labdeck env warm` (or `env up`)
// starting one class at the same moment must end with one pair (every sandbox gets the public half each caller
// returned, and ssh logs in with the private half on disk). And a key file that appeared meanwhile fails ssh-keygen
// at once, rather than leaving it waiting forever for an answer to "Overwrite (y/n)?" that nobody types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classKeyFile, ensureClassKey, keygen } from '../../src/environments/ssh-keys.ts';

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

test('ssh-keygen facing a file already there fails at once instead of asking', { timeout: 20_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-keys-'));
  try {
    const file = join(folder, 'class_ed25519');
    writeFileSync(file, 'made by another process\n', { mode: 0o600 });
    const started = Date.now();
    await assert.rejects(
      Promise.race([keygen(file, 'labdeck-test'), new Promise((_, reject) => setTimeout(() => reject(new Error('ssh-keygen still waits after 5 s')), 5000))]),
      /cannot make an ssh key in .*class_ed25519/,
    );
    assert.ok(Date.now() - started < 5000);
    assert.equal(readFileSync(file, 'utf8'), 'made by another process\n', "the other process's key is left alone");
    await keygen(join(folder, 'fresh'), 'labdeck-test');
    assert.match(readFileSync(join(folder, 'fresh.pub'), 'utf8'), /^ssh-ed25519 \S+ labdeck-test$/m);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
