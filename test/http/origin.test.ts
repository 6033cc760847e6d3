import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedOrigin } from '../../src/http/origin.ts';

test('the Origin must name the page’s own server or a listed origin', () => {
  assert.equal(isAllowedOrigin('http://127.0.0.1:8080', '127.0.0.1:8080'), true);
  assert.equal(isAllowedOrigin('https://class.example.org', 'class.example.org:443'), true, 'default port');
  assert.equal(isAllowedOrigin('HTTP://LOCALHOST:8080', 'localhost:8080'), true);
  assert.equal(isAllowedOrigin('http://127.0.0.1:9999', '127.0.0.1:8080'), false, 'other port');
  assert.equal(isAllowedOrigin('http://evil.example', '127.0.0.1:8080'), false);
  assert.equal(isAllowedOrigin('https://127.0.0.1:8080', '127.0.0.1:8080'), true, 'TLS terminated in front of the server');
  assert.equal(isAllowedOrigin(undefined, '127.0.0.1:8080'), false, 'no Origin');
  assert.equal(isAllowedOrigin('null', '127.0.0.1:8080'), false, 'sandboxed iframe / file://');
  assert.equal(isAllowedOrigin('file:///x', '127.0.0.1:8080'), false);
  assert.equal(isAllowedOrigin('http://127.0.0.1:8080', undefined), false);
  assert.equal(isAllowedOrigin('https://slides.example.org', '127.0.0.1:8080', ['https://slides.example.org/']), true, 'listed');
});
