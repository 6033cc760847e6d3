import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget, redactTokens } from '../../src/text/request-target.ts';

test('a request target is this server’s own path and query, or malformed', () => {
  assert.equal(parseRequestTarget('/deck.json?token=a')?.searchParams.get('token'), 'a');
  assert.equal(parseRequestTarget('/images/a[1].png')?.pathname, '/images/a[1].png', 'what browsers send unescaped');
  for (const malformed of ['//[', '//evil.example/x', '/\\evil.example/x', '*', 'http://evil.example/', '', undefined]) {
    assert.equal(parseRequestTarget(malformed), undefined, String(malformed));
  }
});

test('tokens never reach a log line', () => {
  assert.equal(redactTokens('GET /?token=abc&x=1'), 'GET /?token=[redacted]&x=1');
  assert.equal(redactTokens('GET /deck.json?x=1&TOKEN=abc#2: Error at /?token=def'), 'GET /deck.json?x=1&TOKEN=[redacted]#2: Error at /?token=[redacted]');
  assert.equal(redactTokens('GET /?notatoken=abc'), 'GET /?notatoken=abc');
});
