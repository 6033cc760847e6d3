// The keys labdeck makes with ssh-keygen: a key file that appeared meanwhile (two processes making the class key at
// the same moment; an engine test's first run hung on it) fails at once, rather than ssh-keygen waiting forever for
// an answer to "Overwrite (y/n)?" that nobody types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keygen } from '../../src/environments/ssh-keys.ts';

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
