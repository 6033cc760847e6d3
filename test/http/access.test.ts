import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createAccess, isLoopback, readCookie } from '../../src/classroom/access.ts';

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

test('tokens map to roles; unknown tokens to nobody', () => {
  const access = createAccess({ openToLocalAttendee: false, instructorToken: 'teach', watcherToken: 'watch' });
  const token = access.addAttendee('a1', '<b>Ann</b>');
  assert.equal(access.identify('teach')?.role, 'instructor');
  assert.equal(access.identify('watch')?.role, 'watcher');
  assert.deepEqual(access.identify(token), { role: 'attendee', attendee: 'a1', name: '<b>Ann</b>' });
  assert.equal(access.identify('teach!'), undefined);
  assert.equal(access.identify(''), undefined);
  assert.notEqual(createAccess({ openToLocalAttendee: false }).instructorToken, createAccess({ openToLocalAttendee: false }).instructorToken);
});

test('a request carries its token in the query, a bearer header or the cookie', () => {
  const access = createAccess({ openToLocalAttendee: false, instructorToken: 'teach' });
  assert.equal(access.identifyRequest(request('/?token=teach'))?.role, 'instructor');
  assert.equal(access.identifyRequest(request('/', { authorization: 'Bearer teach' }))?.role, 'instructor');
  assert.equal(access.identifyRequest(request('/', { cookie: 'a=1; labdeck_token=teach' }))?.role, 'instructor');
  assert.equal(access.identifyRequest(request('/')), undefined, 'no token, not open: nobody');
  assert.equal(access.identifyRequest(request('/?token=nope')), undefined);
});

test('a loopback server lets token-less callers in as the local attendee, never as instructor', () => {
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach' });
  assert.deepEqual(access.identifyRequest(request('/')), { role: 'attendee', attendee: 'local', name: 'local' });
  assert.equal(access.identifyRequest(request('/?token=wrong')), undefined, 'a wrong token is refused, not downgraded');
});

test('cookies and bind addresses', () => {
  assert.equal(readCookie('x=1; labdeck_token=a%3Db', 'labdeck_token'), 'a=b');
  assert.equal(readCookie(undefined, 'labdeck_token'), undefined);
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.10') && !isLoopback('::'));
});

test('a loopback address has four parts of at most three digits, for a bind address as for a Host header', () => {
  assert.ok(isLoopback('127.255.255.254'));
  assert.ok(!isLoopback('127.0.0.1000') && !isLoopback('127.0.0.1.5') && !isLoopback('127.1'));
});

test('an undecodable cookie or a malformed target carries no token, and never throws', () => {
  assert.equal(readCookie('labdeck_token=%', 'labdeck_token'), undefined);
  assert.equal(readCookie('labdeck_token=%E0%A4%A', 'labdeck_token'), undefined);
  const access = createAccess({ openToLocalAttendee: false, instructorToken: 'teach' });
  const malformed = request('//[?token=teach', { cookie: 'labdeck_token=%' });
  assert.equal(access.tokenOf(malformed), undefined);
  assert.equal(access.identifyRequest(malformed), undefined);
});
