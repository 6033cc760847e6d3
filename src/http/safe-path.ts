// Maps a request path onto a file inside one folder, and refuses everything that would leave it: `..` (also
// percent-encoded), encoded slashes, hidden files, and symlinks pointing outside. Refusal is `null` (a 404 to the
// client), never an exception: a probing request learns nothing.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** `urlPath` is the raw (still percent-encoded) path of the request, e.g. `/images/a%20b.png`. */
export async function resolveInside(root: string, urlPath: string): Promise<string | null> {
  const segments = decodeSegments(urlPath);
  if (!segments || segments.length === 0) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, ...segments));
    if (!real.startsWith(realRoot + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null; // missing file, or a path component that is not a folder
  }
}

/** The decoded path segments, or null when one of them is not a plain file or folder name. */
export function decodeSegments(urlPath: string): string[] | null {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding
    }
    // A leading dot covers `.` and `..` and hidden files (.git, .env); separators and NUL could smuggle a path.
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}
