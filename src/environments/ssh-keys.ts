// The keys labdeck reaches swarm sandboxes with, made by `ssh-keygen` and kept in the class's data folder:
//   <environments>/.ssh/class_ed25519[.pub]     one pair per class: its public half is every sandbox's root key
//   <environments>/<attendee>/ssh/host_ed25519_key[.pub]   the sandbox's own host key, new with each sandbox
//   <environments>/<attendee>/ssh/known_hosts   that host key, so that ssh trusts this sandbox and no other
// Private keys are 0600 in 0700 folders (ssh-keygen's modes; ssh refuses a private key others can read). A dot
// folder cannot be an attendee's (attendee ids start with a letter, a digit or `_`).
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { attendeeFolder } from './launcher.ts';

const run = promisify(execFile);

export function classKeyFile(root: string): string {
  return join(root, '.ssh', 'class_ed25519');
}

function hostKeyFolder(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'ssh');
}

export function hostKeyFile(root: string, attendee: string): string {
  return join(hostKeyFolder(root, attendee), 'host_ed25519_key');
}

export function knownHostsFile(root: string, attendee: string): string {
  return join(hostKeyFolder(root, attendee), 'known_hosts');
}

/** The class key pair, made the first time; resolves to its public key line. */
export async function ensureClassKey(root: string, classId: string): Promise<string> {
  const file = classKeyFile(root);
  try {
    return readFileSync(`${file}.pub`, 'utf8');
  } catch {
    mkdirSync(join(root, '.ssh'), { recursive: true, mode: 0o700 });
    rmSync(file, { force: true });
    await keygen(file, `labdeck-class-${classId}`);
    return readFileSync(`${file}.pub`, 'utf8');
  }
}

export interface HostKey {
  /** The private key, as the sandbox's sshd reads it. */
  readonly privateKey: string;
  /** The public key line. */
  readonly publicKey: string;
}

/**
 * A new host key for the attendee's sandbox, trusted from now on under `alias` (ssh's HostKeyAlias: the sandbox is
 * known by name, wherever the swarm runs it).
 */
export async function makeHostKey(root: string, attendee: string, alias: string): Promise<HostKey> {
  const folder = hostKeyFolder(root, attendee);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const file = hostKeyFile(root, attendee);
  await keygen(file, alias);
  const key = readHostKey(root, attendee);
  if (!key) throw new Error(`ssh-keygen left no readable key pair at ${file}`);
  writeFileSync(knownHostsFile(root, attendee), `${alias} ${key.publicKey.split(/\s+/).slice(0, 2).join(' ')}\n`, { mode: 0o600 });
  return key;
}

/** The attendee's sandbox host key, when labdeck made one. */
export function readHostKey(root: string, attendee: string): HostKey | undefined {
  const file = hostKeyFile(root, attendee);
  try {
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
  } catch {
    return undefined;
  }
}

/** A new key pair at `file` (and `file`.pub); fails when a file is there already. */
export async function keygen(file: string, comment: string): Promise<void> {
  try {
    const making = run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
    // ssh-keygen asks before it overwrites a file that appeared meanwhile (two processes making the class key): no
    // input answers no, and it fails rather than waiting forever.
    making.child.stdin?.end();
    await making;
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'ssh-keygen is not installed (Debian: apt-get install openssh-client)' : (error as Error).message;
    throw new Error(`cannot make an ssh key in ${file}: ${reason}`);
  }
}
