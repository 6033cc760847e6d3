// OpenSSH's known_hosts, read as `ssh` reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), to decide whether a server's
// host key is the one on record: labdeck's checks reach prepared machines over ssh and must refuse an impostor, as
// the docker CLI's own `ssh` would. Pure: the caller reads the files.
import { createHmac } from 'node:crypto';
import { escapeRegExp } from '../text/escape-regexp.ts';

export type HostKeyVerdict = { readonly trusted: true } | { readonly trusted: false; readonly reason: string };

/**
 * Whether `key` (the blob the server presented) is on record for `host`:`port` in these known_hosts texts. A host
 * with keys on record but none matching is refused as changed; a host with none is refused as unknown; a revoked key
 * is refused. `@cert-authority` lines are not followed (no host certificates here).
 */
export function verifyKnownHost(files: readonly string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  let recorded = 0;
  for (const text of files) {
    for (const raw of text.split('\n')) {
      const fields = raw.trim().split(/\s+/);
      const [first] = fields;
      if (first === undefined || first === '' || first.startsWith('#')) continue;
      const marker = first.startsWith('@') ? fields.shift() : undefined;
      const [patterns, , encoded] = fields;
      if (!patterns || !encoded || !hostMatches(patterns, name)) continue;
      const blob = Buffer.from(encoded, 'base64');
      if (marker === '@revoked') {
        if (blob.equals(key)) return { trusted: false, reason: `the host key of ${name} is marked @revoked in known_hosts` };
        continue;
      }
      if (marker) continue;
      if (blob.equals(key)) return { trusted: true };
      recorded++;
    }
  }
  return recorded > 0
    ? { trusted: false, reason: `the host key of ${name} is not the one in known_hosts: it changed, or this is not that machine` }
    : { trusted: false, reason: `the host key of ${name} is unknown: add it to known_hosts (ssh to it once, or ssh-keyscan after checking it)` };
}

/** A comma-separated pattern list (`*`, `?`, `!negation`) or a hashed name (`|1|salt|hmac`), against `name`. */
function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcard(negated ? pattern.slice(1) : pattern).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcard(pattern: string): RegExp {
  const source = escapeRegExp(pattern.toLowerCase()).replace(/\\\*/g, '.*').replace(/\\\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}
