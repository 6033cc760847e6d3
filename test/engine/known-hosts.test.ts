// known_hosts as OpenSSH writes it: plain and hashed names (hashed by the real `ssh-keygen -H`), non-default ports,
// wildcards and negations, changed and revoked keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyKnownHost } from '../../src/engine/known-hosts.ts';

const folder = mkdtempSync(join(tmpdir(), 'labdeck-known-hosts-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

/** A fresh ed25519 public key line (`ssh-ed25519 AAAA…`) and the blob a server presents for it. */
function hostKey(name: string): { line: string; blob: Buffer } {
  const path = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  return { line, blob: Buffer.from(line.split(' ')[1]!, 'base64') };
}

const vm1 = hostKey('vm1');
const vm2 = hostKey('vm2');
const other = hostKey('other');

test('plain names: default port by name, other ports as [host]:port', () => {
  const file = `# prepared for the class\n10.0.0.11 ${vm1.line}\n[10.0.0.12]:2222 ${vm2.line} comment\n`;
  assert.deepEqual(verifyKnownHost([file], '10.0.0.11', 22, vm1.blob), { trusted: true });
  assert.deepEqual(verifyKnownHost([file], '10.0.0.12', 2222, vm2.blob), { trusted: true });
  const wrongPort = verifyKnownHost([file], '10.0.0.12', 22, vm2.blob);
  assert.equal(wrongPort.trusted, false);
  assert.match(!wrongPort.trusted ? wrongPort.reason : '', /host key of 10\.0\.0\.12 is unknown/);
});

test('a different key for a known host is refused as changed; an unknown host as unknown', () => {
  const file = `vm1.class.example,10.0.0.11 ${vm1.line}\n`;
  const changed = verifyKnownHost([file], '10.0.0.11', 22, other.blob);
  assert.deepEqual(changed, { trusted: false, reason: 'the host key of 10.0.0.11 is not the one in known_hosts: it changed, or this is not that machine' });
  const unknown = verifyKnownHost([file], '10.0.0.99', 22, vm1.blob);
  assert.equal(unknown.trusted, false);
  assert.match(!unknown.trusted ? unknown.reason : '', /unknown: add it to known_hosts/);
  assert.deepEqual(verifyKnownHost([file], 'VM1.class.example', 22, vm1.blob), { trusted: true }, 'names match regardless of case');
});

test('names hashed by ssh-keygen -H are matched, on any port', () => {
  const path = join(folder, 'known_hosts');
  writeFileSync(path, `10.0.0.11 ${vm1.line}\n[127.0.0.1]:2200 ${vm2.line}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', path]);
  const hashed = readFileSync(path, 'utf8');
  assert.doesNotMatch(hashed, /10\.0\.0\.11|127\.0\.0\.1/, 'ssh-keygen hashed the names');
  assert.deepEqual(verifyKnownHost([hashed], '10.0.0.11', 22, vm1.blob), { trusted: true });
  assert.deepEqual(verifyKnownHost([hashed], '127.0.0.1', 2200, vm2.blob), { trusted: true });
  assert.equal(verifyKnownHost([hashed], '127.0.0.1', 2200, vm1.blob).trusted, false);
  assert.equal(verifyKnownHost([hashed], '10.0.0.12', 22, vm1.blob).trusted, false);
});

test('wildcards and negations, several files, revoked keys', () => {
  const global = `*.class.example,!bad.class.example ${vm1.line}\n`;
  const user = `@revoked * ${other.line}\n@cert-authority *.class.example ${vm2.line}\nvm?.lab ${vm2.line}\n`;
  assert.deepEqual(verifyKnownHost([user, global], 'node7.class.example', 22, vm1.blob), { trusted: true });
  assert.equal(verifyKnownHost([user, global], 'bad.class.example', 22, vm1.blob).trusted, false);
  assert.deepEqual(verifyKnownHost([user, global], 'vm3.lab', 22, vm2.blob), { trusted: true });
  assert.equal(verifyKnownHost([user, global], 'vm10.lab', 22, vm2.blob).trusted, false, '? is one character');
  assert.equal(verifyKnownHost([user], 'node7.class.example', 22, vm2.blob).trusted, false, 'a CA key is not a host key');
  const revoked = verifyKnownHost([user, `node7.class.example ${other.line}\n`], 'node7.class.example', 22, other.blob);
  assert.deepEqual(revoked, { trusted: false, reason: 'the host key of node7.class.example is marked @revoked in known_hosts' });
});
