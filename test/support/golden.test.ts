import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden } from './golden.ts';

function withGolden(content: string | undefined, body: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'labdeck-golden-'));
  try {
    const path = join(dir, 'case.html');
    if (content !== undefined) writeFileSync(path, content);
    body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an update run rewrites a differing golden and fails, naming it: CI cannot pass by rewriting', { timeout: 5_000 }, () => {
  withGolden('old\n', (path) => {
    assert.throws(
      () => assertGolden('new\n', path, true),
      (error: Error) => {
        assert.match(error.message, new RegExp(`rewrote ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.match(error.message, /run again without UPDATE=1/);
        return true;
      },
    );
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
  });
  withGolden(undefined, (path) => {
    assert.throws(() => assertGolden('created\n', path, true), /rewrote/);
    assert.equal(readFileSync(path, 'utf8'), 'created\n');
  });
});

test('an update run with nothing to rewrite compares for real and passes', { timeout: 5_000 }, () => {
  withGolden('same\n', (path) => assertGolden('same\n', path, true));
});

test('a mismatch names the golden and the first differing line, with context', { timeout: 5_000 }, () => {
  const expected = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'].join('\n');
  const actual = ['one', 'two', 'three', 'FOUR', 'five', 'six', 'seven'].join('\n');
  withGolden(expected, (path) => {
    assert.throws(
      () => assertGolden(actual, path, false),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${path}:4: output differs from the golden`), error.message);
        assert.match(error.message, /  3 \| three\n- 4 \| four\n\+ 4 \| FOUR\n  5 \| five/);
        assert.ok(error.message.length < 600, 'a short message, not the whole file');
        return true;
      },
    );
    assert.equal(readFileSync(path, 'utf8'), expected, 'a comparison never writes');
  });
});

test('a missing golden is a clear failure, not an empty expectation', { timeout: 5_000 }, () => {
  withGolden(undefined, (path) => assert.throws(() => assertGolden('x', path, false), /no golden file; create it with UPDATE=1/));
});
