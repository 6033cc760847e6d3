// The keys labdeck reaches swarm sandboxes with, made by `ssh-keygen` and kept in the class's data folder:
//   <environments>/.ssh/class_ed25519[.pub]     one pair per class: its public half is every sandbox's root key
//   <environments>/<attendee>/ssh/host_ed25519_key[.pub]   the sandbox's own host key, new with each sandbox
//   <environments>/<attendee>/ssh/known_hosts   that host key, so that ssh trusts this sandbox and no other
// Private keys are 0600 in 0700 folders (ssh-keygen's modes; ssh refuses a private key others can read). A dot
// folder cannot be an attendee's (attendee ids start with a letter, a digit or `_`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The class key pair, made the first time; resolves to its public key line. Two processes may start a class at the
 * same moment (a server and `labdeck env warm`): each makes a draft pair under a name of its own and links it into
 * place, private half first, and the first link wins (a link never overwrites). The others take the winner's pair.
 */
export async function ensureClassKey(root: string, classId: string): Promise<string> {
  const file = classKeyFile(root);
  const existing = readIfThere(`${file}.pub`);
  if (existing !== undefined) return existing;
  mkdirSync(join(root, '.ssh'), { recursive: true, mode: 0o700 });
  const draft = `${file}.draft-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await keygen(draft, `labdeck-class-${classId}`);
    // Our public half only beside our private half.
    if (linkUnlessThere(draft, file)) linkUnlessThere(`${draft}.pub`, `${file}.pub`);
  } finally {
    rmSync(draft, { force: true });
    rmSync(`${draft}.pub`, { force: true });
  }
  // Another process's private half won: its public half follows at once, unless that process stopped in between.
  for (let attempt = 0; attempt < 20; attempt++) {
    const key = readIfThere(`${file}.pub`);
    if (key !== undefined) return key;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { stdout } = await run('ssh-keygen', ['-y', '-f', file]);
  linkUnlessThere(writeDraft(`${file}.pub`, stdout), `${file}.pub`, { removeSource: true });
  return readFileSync(`${file}.pub`, 'utf8');
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Links `from` at `to` unless `to` exists already (then whoever made it first keeps it); true when linked. */
function linkUnlessThere(from: string, to: string, { removeSource = false } = {}): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return false;
  } finally {
    if (removeSource) rmSync(from, { force: true });
  }
}

function writeDraft(path: string, content: string): string {
  const draft = `${path}.draft-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, content, { mode: 0o644 });
  return draft;
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

/**
 * The ssh options labdeck's own connections use: no user configuration applies (`-F none` comes first), only
 * `identity` is offered, and only the host key in `knownHosts` is trusted, under `alias` (`HostKeyAlias`: the
 * sandbox's name, wherever the swarm runs it).
 */
export function pinnedKeyOptions(keys: { readonly identity: string; readonly knownHosts: string; readonly alias: string }): string[] {
  return [
    '-i',
    keys.identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${keys.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `HostKeyAlias=${keys.alias}`,
  ];
}
