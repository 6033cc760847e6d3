// Reads the files a deck is made of (manifest, chapters, includes) from the disk, refusing what is not a text file
// before reading it: a device such as /dev/zero or a FIFO would block the process forever, a huge file would stall
// the server, and binary bytes would silently become U+FFFD replacement characters on the slides.
import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { elementAt, LabdeckError } from '../errors.ts';
import { UnusableFile } from '../deck/manifest.ts';

/**
 * No deck file comes near this (container.training's largest chapter is under 100 KB, a whole 600-slide workshop
 * under 1 MB); anything bigger is a mistake, which reading and rendering would take minutes to reveal.
 */
export const maxDeckFileBytes = 10 * 2 ** 20;

/** The text of `path`; undefined when it does not exist. Throws UnusableFile when it exists but is not a text file. */
export function readDeckFile(path: string): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new UnusableFile(path, cannotRead(error));
  }
  refuseNonText(path, stats);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new UnusableFile(path, cannotRead(error));
  }
  return decodeText(bytes, path);
}

/** Throws UnusableFile when `path` exists and is not a regular file of a sane size (without reading it). */
export function refuseNonTextFile(path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats) refuseNonText(path, stats);
}

function refuseNonText(path: string, stats: Stats): void {
  if (stats.isDirectory()) throw new UnusableFile(path, 'is a folder, not a file');
  if (!stats.isFile()) throw new UnusableFile(path, 'is not a regular file (a device, FIFO or socket)');
  if (stats.size > maxDeckFileBytes) {
    const size = `${(stats.size / 2 ** 20).toFixed(1)} MB`;
    throw new UnusableFile(path, `is larger than ${maxDeckFileBytes / 2 ** 20} MB (${size}), too large for a deck file`);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function cannotRead(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read: ${(error as Error).message}`;
}

/** UTF-8 bytes as text; the first byte that is not UTF-8 text (an invalid sequence, or NUL) is an error at its line. */
export function decodeText(bytes: Uint8Array, file: string): string {
  const nul = bytes.indexOf(0);
  const invalid = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
  const bad = nul < 0 ? invalid : invalid < 0 ? nul : Math.min(nul, invalid);
  if (bad < 0) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < bad; i = bytes.indexOf(10, i + 1)) line++;
  const what = bad === nul ? `byte ${bad + 1} is NUL` : `byte ${bad + 1}`;
  throw new LabdeckError(`not UTF-8 text (${what})`, { file, line });
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const first = elementAt(bytes, i);
    if (first < 0x80) {
      i++;
      continue;
    }
    const length = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    let codePoint = first & (0x7f >> length);
    for (let k = 1; k < length; k++) {
      const next = elementAt(bytes, i + k);
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    const shortest = elementAt([0, 0, 0x80, 0x800, 0x10000], length);
    if (codePoint < shortest || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += length;
  }
  return -1;
}
