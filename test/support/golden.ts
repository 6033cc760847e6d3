// Golden files: committed expected output, compared with a readable diff (the first differing line with context).
// An update run (the caller passes UPDATE=1) rewrites the goldens that differ and FAILS, naming each one, so that a
// run with UPDATE=1 set (in CI, say) can never pass by rewriting what it checks; the next plain run is the check.
import { AssertionError } from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Lines of context shown before and after the first differing line. */
const CONTEXT_LINES = 2;

/** `path:line: output differs…` then a few numbered lines: ` ` same on both sides, `-` golden, `+` actual. */
export function describeFirstDifference(expected: string, actual: string, goldenPath: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let first = 0;
  while (first < want.length && first < got.length && want[first] === got[first]) first++;
  const width = String(Math.max(want.length, got.length)).length;
  const row = (mark: string, index: number, text: string) => `${mark} ${String(index + 1).padStart(width)} | ${text}`;
  const lines = [`${goldenPath}:${first + 1}: output differs from the golden (- golden, + actual)`];
  for (let i = Math.max(0, first - CONTEXT_LINES); i < first; i++) lines.push(row(' ', i, want[i]!));
  lines.push(first < want.length ? row('-', first, want[first]!) : `- (golden ends after line ${want.length})`);
  lines.push(first < got.length ? row('+', first, got[first]!) : `+ (output ends after line ${got.length})`);
  for (let i = first + 1; i <= first + CONTEXT_LINES && i < want.length && i < got.length; i++) {
    // Context after the difference is only meaningful where both sides still agree.
    if (want[i] !== got[i]) break;
    lines.push(row(' ', i, want[i]!));
  }
  if (want.length !== got.length) lines.push(`(golden: ${want.length} lines, output: ${got.length} lines)`);
  return lines.join('\n');
}

/**
 * Asserts that `actual` is the content of the golden file. With `update`, a golden that differs (or is missing) is
 * rewritten and the assertion fails, saying so; an update run with nothing to rewrite is an ordinary comparison.
 */
export function assertGolden(actual: string, goldenPath: string, update: boolean): void {
  const exists = existsSync(goldenPath);
  const expected = exists ? readFileSync(goldenPath, 'utf8') : undefined;
  if (expected === actual) return;
  if (update) {
    writeFileSync(goldenPath, actual);
    throw new AssertionError({
      message: `UPDATE=1: rewrote ${goldenPath}; review the change and run again without UPDATE=1`,
    });
  }
  if (expected === undefined) {
    throw new AssertionError({ message: `${goldenPath}: no golden file; create it with UPDATE=1 and review it` });
  }
  throw new AssertionError({ message: describeFirstDifference(expected, actual, goldenPath) });
}
