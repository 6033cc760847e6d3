import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSegments, resolveInside } from '../../src/http/safe-path.ts';

let base: string;
let root: string;

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'labdeck-safe-path-')));
  root = join(base, 'workshop');
  await mkdir(join(root, 'images'), { recursive: true });
  await writeFile(join(root, 'images', 'a b.png'), 'png');
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(base, 'secret.txt'), 'outside');
  await symlink(join(base, 'secret.txt'), join(root, 'images', 'escape.png'));
  await symlink(join(root, 'images', 'a b.png'), join(root, 'images', 'alias.png'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

test('a file inside the folder resolves, percent-encoding decoded', async () => {
  assert.equal(await resolveInside(root, '/images/a%20b.png'), join(root, 'images', 'a b.png'));
});

test('a symlink that stays inside the folder resolves to its target', async () => {
  assert.equal(await resolveInside(root, '/images/alias.png'), join(root, 'images', 'a b.png'));
});

test('every way out of the folder is refused', async () => {
  for (const path of [
    '/../secret.txt',
    '/images/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/images/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/images%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    `/${encodeURIComponent(join(base, 'secret.txt'))}`,
    '/images/escape.png', // a symlink pointing outside
  ]) {
    assert.equal(await resolveInside(root, path), null, path);
  }
});

test('an absolute path in the URL stays inside the folder', async () => {
  assert.equal(await resolveInside(root, `//${join(base, 'secret.txt')}`), null);
  assert.equal(await resolveInside(root, '//images/a%20b.png'), join(root, 'images', 'a b.png'));
});

test('hidden files, folders, missing files and malformed encodings are refused', async () => {
  for (const path of ['/.env', '/', '/images', '/images/missing.png', '/images/%E0%A4%A.png', '/a%00b']) {
    assert.equal(await resolveInside(root, path), null, path);
  }
});

test('decodeSegments splits and decodes, refusing dot segments and smuggled separators', () => {
  assert.deepEqual(decodeSegments('/images//a%20b.png'), ['images', 'a b.png']);
  assert.equal(decodeSegments('/./a'), null);
  assert.equal(decodeSegments('/a%2fb'), null);
  assert.equal(decodeSegments('/a%5Cb'), null);
});
