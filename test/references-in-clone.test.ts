// A comment or test that cites a file must cite one a clone of the repository has (a file under docs/, or a public
// URL): the team's shared folder outside the repository is not part of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const folders = ['src', 'test', 'bench', 'scripts'];
// Built from parts, so that this file does not match itself.
const shared = ['shared', ''].join('/');
const outside = new RegExp(`/work/${shared}|\\.\\./${shared}(?:reference|ARCHITECTURE|fixtures|seed|hooks)\\b`);

function textFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : textFiles(path);
    return /\.(?:ts|mjs|js|sh|md)$/.test(name) ? [path] : [];
  });
}

test('sources and tests cite nothing outside the repository', { timeout: 10_000 }, () => {
  const found: string[] = [];
  for (const file of folders.flatMap((folder) => textFiles(join(root, folder)))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (outside.test(line)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, []);
});
