// Images the lab needs, built on this machine without any registry: a class must run offline.
// `labdeck/busybox` is the host's static busybox (Debian's busybox-static) plus one symlink per applet, packed as a
// root filesystem tar here in Node and imported (`docker import`). The tar is deterministic, so its digest, kept as
// a label, tells whether the image is already up to date: building again is a no-op.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { importRootfs, inspectImageByName } from './import-image.ts';

export interface LocalImage {
  /** `repo:tag` */
  readonly name: string;
  readonly id: string;
  /** False when an identical image was already there. */
  readonly built: boolean;
}

export interface BusyboxImageOptions {
  /** A statically linked busybox (it runs with no libc in the image). */
  readonly binary?: string;
  readonly name?: string;
}

const DIGEST_LABEL = 'org.labdeck.rootfs-digest';

export async function ensureBusyboxImage(docker: Docker, options: BusyboxImageOptions = {}): Promise<LocalImage> {
  const binary = options.binary ?? '/bin/busybox';
  const name = options.name ?? 'labdeck/busybox:latest';
  const applets = execFileSync(binary, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const rootfs = busyboxRootfs(readFileSync(binary), applets);
  const digest = createHash('sha256').update(rootfs).digest('hex');

  const existing = await inspectImageByName(docker, name);
  if (existing?.Config?.Labels?.[DIGEST_LABEL] === digest) return { name, id: existing.Id, built: false };

  const id = await importRootfs(docker, Readable.from([rootfs]) as unknown as NodeJS.ReadableStream, name, [
    `LABEL ${DIGEST_LABEL}=${digest}`,
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["sh"]',
  ]);
  return { name, id, built: true };
}

/** A minimal root filesystem: directories, busybox, its applets as symlinks, and users for tools that look them up. */
function busyboxRootfs(busybox: Buffer, applets: readonly string[]): Buffer {
  const entries: TarEntry[] = [];
  const directories = new Set(['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var', 'var/www', 'proc', 'sys', 'dev']);
  for (const applet of applets) {
    const parts = applet.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
  }
  for (const dir of [...directories].sort()) entries.push({ path: `${dir}/`, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 });
  entries.push({ path: 'bin/busybox', type: 'file', mode: 0o755, content: busybox });
  entries.push({
    path: 'etc/passwd',
    type: 'file',
    mode: 0o644,
    content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
  });
  entries.push({ path: 'etc/group', type: 'file', mode: 0o644, content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') });
  for (const applet of [...applets].sort()) {
    if (applet !== 'bin/busybox') entries.push({ path: applet, type: 'symlink', mode: 0o777, target: '/bin/busybox' });
  }
  return tar(entries);
}

interface TarEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly content?: Buffer;
  readonly target?: string;
}

/** POSIX ustar, owner root, mtime 0 (deterministic output). Paths must fit in 100 bytes, which ours do. */
function tar(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const header = Buffer.alloc(512);
    const content = entry.content ?? Buffer.alloc(0);
    const field = (offset: number, length: number, value: string): void => {
      header.write(value, offset, length, 'utf8');
    };
    const octal = (offset: number, length: number, value: number): void => field(offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
    field(0, 100, entry.path);
    octal(100, 8, entry.mode);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, entry.type === 'file' ? content.length : 0);
    octal(136, 12, 0);
    header.fill(' ', 148, 156);
    field(156, 1, entry.type === 'file' ? '0' : entry.type === 'symlink' ? '2' : '5');
    if (entry.target) field(157, 100, entry.target);
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    field(265, 32, 'root');
    field(297, 32, 'root');
    let sum = 0;
    for (const byte of header) sum += byte;
    field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(header);
    if (entry.type === 'file') {
      blocks.push(content);
      const padding = (512 - (content.length % 512)) % 512;
      if (padding) blocks.push(Buffer.alloc(padding));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
