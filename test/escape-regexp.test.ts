import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp } from '../src/text/escape-regexp.ts';

test('every character a RegExp gives a meaning to matches itself once escaped', { timeout: 5000 }, () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the regex metacharacters, not a template
  const special = '.*+?^${}()|[]\\/';
  assert.ok(new RegExp(`^${escapeRegExp(special)}$`).test(special));
  assert.ok(new RegExp(`^${escapeRegExp(special)}$`, 'u').test(special), 'valid under the u flag too');
  assert.equal(escapeRegExp('docker service ls'), 'docker service ls', 'plain text is unchanged');
  assert.ok(!new RegExp(`^${escapeRegExp('a.c')}$`).test('abc'));
});
