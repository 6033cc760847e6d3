// One recording segment on disk: an append-only gzip file. Each `append` is compressed and flushed with a sync flush
// (the bytes written so far decompress to every line appended so far), so a server killed with SIGKILL loses only
// what was not appended yet: recorder.ts appends once a second. One deflate stream per segment keeps its dictionary
// from one second to the next: a second of typing compresses to a few bytes, where a gzip member per second would
// cost its 18 bytes of header and trailer and start each second without a dictionary. A segment closed normally
// ends with gzip's trailer; readSegmentFile reads both kinds.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { constants, createGzip, gunzipSync, type Gzip } from 'node:zlib';

export class SegmentFile {
  private readonly gzip: Gzip;
  private fd: number | undefined;
  private failed = false;
  /** close() was called: a keyframe computed after that (recorder.ts) is not written. */
  private ending = false;
  private readonly closed: Promise<void>;
  /** Compressed bytes written so far. */
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly onError: (error: Error) => void,
  ) {
    // Owner-only: a recording holds what attendees' terminals showed.
    this.fd = openSync(path, 'a', 0o600);
    // Level 6 and the default window: measured in bench/recording.ts; memLevel 8 is zlib's default (256 KiB a stream).
    this.gzip = createGzip({ level: 6 });
    // Written at once, in order, by the only writer of this file; a write of a few KiB a second to the page cache.
    this.gzip.on('data', (chunk: Buffer) => this.write(chunk));
    this.gzip.on('error', (error) => this.fail(error));
    this.closed = new Promise((resolve) => {
      this.gzip.once('end', resolve);
      this.gzip.once('error', () => resolve());
    });
  }

  /** Compresses `text` and writes it, flushed: readable from the file once this stream's work is done. */
  append(text: string): void {
    if (this.failed || this.ending || this.fd === undefined) return;
    this.gzip.write(text);
    this.gzip.flush(constants.Z_SYNC_FLUSH);
  }

  /** Ends the gzip stream (its trailer is written) and closes the file. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    if (this.ending) return this.closed;
    this.ending = true;
    this.gzip.end();
    await this.closed;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(chunk: Buffer): void {
    if (this.failed || this.fd === undefined) return;
    try {
      writeSync(this.fd, chunk);
      this.bytes += chunk.byteLength;
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(error);
  }
}

/** A segment file's text: whole, or as far as it was flushed when its writer died. */
export function readSegmentFile(path: string): string {
  return gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
}
