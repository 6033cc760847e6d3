// Raw HTTP and WebSocket exchanges over node:net, for fuzz-style tests: bytes go out exactly as given (broken
// requests, lying headers, malformed frames), and what comes back is summed up (status lines, server frames, close
// code). Every exchange has a deadline and ends with its socket destroyed.
import { connect } from 'node:net';

export interface ExchangePlan {
  /** The request, written chunk by chunk (a turn of the event loop between chunks: split reads on the server). */
  readonly request: readonly Buffer[];
  /** WebSocket frames to send once the server answered 101 (none: the exchange ends after the response). */
  readonly frames?: readonly Buffer[];
  /** How long to keep reading after the response, or after the last frame was sent. */
  readonly lingerMs: number;
}

export interface ExchangeOutcome {
  /** The status of every response seen, in order (pipelined requests give several). */
  readonly statuses: readonly number[];
  readonly upgraded: boolean;
  /** Opcodes of the WebSocket frames the server sent, and its close code if it sent a close frame. */
  readonly serverOpcodes: readonly number[];
  /** The first byte of each binary frame's payload (terminal frame types: 0x81 state, 0x82 output...). */
  readonly binaryTypes: readonly number[];
  readonly closeCode: number | undefined;
  /** A socket error (ECONNREFUSED when the server is gone, ECONNRESET...). */
  readonly error: string | undefined;
  /** The deadline ended the exchange (the server held the connection, e.g. waiting for a body that never comes). */
  readonly timedOut: boolean;
}

/** The most of a plain HTTP response kept to look for status lines: heads and the start of bodies. */
const keptResponseBytes = 256 * 1024;

export function exchange(port: number, plan: ExchangePlan, deadlineMs: number): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let head: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let error: string | undefined;
    let timedOut = false;
    let linger: NodeJS.Timeout | undefined;
    const frames = new ServerFrameReader();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(linger);
      socket.destroy();
      resolve({
        statuses: statusesIn(head),
        upgraded,
        serverOpcodes: frames.opcodes,
        binaryTypes: frames.binaryTypes,
        closeCode: frames.closeCode,
        error,
        timedOut,
      });
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      finish();
    }, deadlineMs);
    const lingerThenFinish = (): void => {
      clearTimeout(linger);
      linger = setTimeout(finish, plan.lingerMs);
    };

    socket.on('connect', () => {
      void (async () => {
        for (const chunk of plan.request) {
          if (done || socket.destroyed) return;
          socket.write(chunk);
          await new Promise((next) => setImmediate(next));
        }
      })();
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) return frames.push(chunk);
      if (head.length < keptResponseBytes) head = Buffer.concat([head, chunk]).subarray(0, keptResponseBytes);
      const statuses = statusesIn(head);
      if (statuses.length === 0) return;
      const end = head.indexOf('\r\n\r\n');
      if (statuses[0] === 101 && plan.frames) {
        if (end < 0) return;
        upgraded = true;
        frames.push(head.subarray(end + 4));
        head = head.subarray(0, end + 4);
        void sendFrames(plan.frames).then(() => !done && lingerThenFinish());
      } else if (!linger) {
        lingerThenFinish();
      }
    });
    socket.on('error', (problem: NodeJS.ErrnoException) => {
      error = problem.code ?? problem.message;
      finish();
    });
    socket.on('close', finish);

    async function sendFrames(toSend: readonly Buffer[]): Promise<void> {
      for (const frame of toSend) {
        if (done || socket.destroyed) return;
        socket.write(frame);
        await new Promise((next) => setImmediate(next));
      }
    }
  });
}

function statusesIn(response: Buffer): number[] {
  const text = response.toString('latin1');
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
}

/** Reads the server's (unmasked) WebSocket frames just far enough to know their opcodes and the close code. */
class ServerFrameReader {
  readonly opcodes: number[] = [];
  readonly binaryTypes: number[] = [];
  closeCode: number | undefined;
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0]! & 0x0f;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.opcodes.push(opcode);
      if (opcode === 0x2 && payload.length > 0) this.binaryTypes.push(payload[0]!);
      if (opcode === 0x8 && payload.length >= 2) this.closeCode = payload.readUInt16BE(0);
      this.buffer = this.buffer.subarray(offset + length);
    }
  }
}

export interface WebSocketFrameOptions {
  readonly opcode: number;
  readonly payload: Buffer;
  /** Default true. */
  readonly fin?: boolean;
  /** Clients must mask (default true): an unmasked client frame is a protocol error. */
  readonly mask?: boolean;
  /** Reserved bits (0-7): non-zero without an extension is a protocol error. */
  readonly rsv?: number;
  /** A length to announce instead of the payload's (a lie). */
  readonly announcedLength?: number;
}

/** One WebSocket frame as a client sends it (RFC 6455 §5.2), optionally broken. */
export function webSocketFrame(options: WebSocketFrameOptions): Buffer {
  const { opcode, payload } = options;
  const masked = options.mask ?? true;
  const length = options.announcedLength ?? payload.length;
  const first = ((options.fin ?? true) ? 0x80 : 0) | (((options.rsv ?? 0) & 7) << 4) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(length, 2);
    header[1] = maskBit | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(length), 2);
    header[1] = maskBit | 127;
  }
  header[0] = first;
  if (!masked) return Buffer.concat([header, payload]);
  // A fixed mask: the server must unmask whatever key it is given, and a fixed one keeps frames reproducible.
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, key, body]);
}
