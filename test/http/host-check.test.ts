import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHost, parseHostName, type HostPolicy } from '../../src/http/host-check.ts';

const loopback: HostPolicy = { loopback: true, port: 8080, allowedHosts: [] };
const verdict = (header: string | undefined, policy: HostPolicy): number => {
  const result = checkHost(header, policy);
  return result.allowed ? 200 : result.status;
};

test('a loopback server answers to its loopback names on its own port only', () => {
  for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080', '127.4.5.6:8080']) assert.equal(verdict(host, loopback), 200, host);
  for (const host of ['evil.example:8080', 'evil.example', 'localhost:8081', 'localhost', '127.0.0.1', '127.0.0.1.nip.io:8080', '0.0.0.0:8080', '[::2]:8080']) {
    assert.equal(verdict(host, loopback), 403, host);
  }
  assert.equal(verdict('localhost', { ...loopback, port: 80 }), 200, 'port 80 goes without saying');
});

test('allowed names are added to the loopback ones, with or without a port', () => {
  const policy: HostPolicy = { ...loopback, allowedHosts: ['labdeck.lan', 'Slides.Example:8443', '[fe80::1]'] };
  for (const host of ['labdeck.lan', 'labdeck.lan:8080', 'LABDECK.LAN:1234', 'slides.example:8443', '[fe80::1]:8080', 'localhost:8080'])
    assert.equal(verdict(host, policy), 200, host);
  for (const host of ['slides.example:8080', 'slides.example', 'x.labdeck.lan', 'labdeck.lan.evil.example']) assert.equal(verdict(host, policy), 403, host);
});

test('on a non-loopback bind any name goes, unless names are given: then those and the loopback ones', () => {
  const open: HostPolicy = { loopback: false, port: 8080, allowedHosts: [] };
  for (const host of ['192.168.1.10:8080', 'anything.example', 'localhost:8080']) assert.equal(verdict(host, open), 200, host);
  const named: HostPolicy = { ...open, allowedHosts: ['class.example'] };
  assert.equal(verdict('class.example', named), 200);
  assert.equal(verdict('127.0.0.1:8080', named), 200);
  assert.equal(verdict('192.168.1.10:8080', named), 403);
});

test('a missing or unreadable Host is 400 whatever the bind', () => {
  for (const policy of [loopback, { loopback: false, port: 8080, allowedHosts: [] }]) {
    for (const header of [undefined, '', 'a b', 'evil.example:99999', '[::1', 'user@host:8080', 'host:port']) assert.equal(verdict(header, policy), 400, String(header));
  }
});

test('the refusal says how to allow the name', () => {
  const result = checkHost('evil.example:8080', loopback);
  assert.ok(!result.allowed);
  assert.match(result.reason, /--allowed-hosts evil\.example$/);
});

test('names are read as Host headers write them', () => {
  assert.deepEqual(parseHostName('Example.org:80'), { name: 'example.org', port: 80 });
  assert.deepEqual(parseHostName('[::1]'), { name: '::1', port: undefined });
  assert.equal(parseHostName('-x.example'), undefined);
});
