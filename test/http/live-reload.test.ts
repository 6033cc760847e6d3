import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originMatchesHost } from '../../src/http/live-reload.ts';

test('the Origin must name the same host and port the request was sent to', () => {
  assert.equal(originMatchesHost('http://127.0.0.1:8080', '127.0.0.1:8080'), true);
  assert.equal(originMatchesHost('http://localhost:8080', 'LOCALHOST:8080'), true);
  assert.equal(originMatchesHost('https://deck.example.org', 'deck.example.org'), true);
  assert.equal(originMatchesHost('http://127.0.0.1:8081', '127.0.0.1:8080'), false);
  assert.equal(originMatchesHost('http://evil.example', '127.0.0.1:8080'), false);
  assert.equal(originMatchesHost('null', '127.0.0.1:8080'), false);
  assert.equal(originMatchesHost('file://', '127.0.0.1:8080'), false);
  assert.equal(originMatchesHost(undefined, '127.0.0.1:8080'), false);
  assert.equal(originMatchesHost('http://127.0.0.1:8080', undefined), false);
});
