// The terminal wire format in src/protocol.ts: round trips, and what is malformed or unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientFrameType,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  ServerFrameType,
  type ClientMessage,
  type ServerMessage,
} from '../../src/protocol.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

test('client messages round-trip, with the documented type bytes', () => {
  const messages: ClientMessage[] = [
    { type: 'hello', hello: { version: 1, token: 't0k', terminal: 'shell', attendee: 'bob', cols: 120, rows: 40 } },
    { type: 'input', data: bytes('ls -l\r') },
    { type: 'resize', cols: 65535, rows: 1 },
    { type: 'ack', bytes: 4_000_000_000 },
    { type: 'skip' },
  ];
  for (const message of messages) assert.deepEqual(decodeClientMessage(encodeClientMessage(message)), message);
  assert.deepEqual([...encodeClientMessage({ type: 'resize', cols: 258, rows: 3 })], [ClientFrameType.resize, 1, 2, 0, 3]);
  assert.deepEqual([...encodeClientMessage({ type: 'ack', bytes: 1 })], [0x04, 0, 0, 0, 1]);
  assert.deepEqual([...encodeClientMessage({ type: 'skip' })], [0x05]);
});

test('server messages round-trip', () => {
  const messages: ServerMessage[] = [
    { type: 'state', state: { terminal: 'shell', role: 'watcher', cols: 80, rows: 24 } },
    { type: 'output', data: bytes('\x1b[1mhé\x1b[0m') },
    { type: 'snapshot', data: bytes('screen') },
    { type: 'title', title: 'vi notes.txt ✓' },
    { type: 'exit', code: 130, signal: undefined },
    { type: 'exit', code: 0, signal: 9 },
    { type: 'notice', code: 'input-rate', message: 'slow down' },
  ];
  for (const message of messages) assert.deepEqual(decodeServerMessage(encodeServerMessage(message)), message);
  assert.equal(encodeServerMessage({ type: 'output', data: bytes('x') })[0], ServerFrameType.output);
});

test('malformed frames are reported with a reason; unknown types are reported as unknown', () => {
  const hello = (value: unknown) => new Uint8Array([ClientFrameType.hello, ...bytes(JSON.stringify(value))]);
  const valid = { version: 1, token: 't', terminal: 'shell', cols: 80, rows: 24 };
  const malformed: [Uint8Array, RegExp][] = [
    [new Uint8Array(), /empty frame/],
    [new Uint8Array([ClientFrameType.hello, 0xff, 0xfe]), /JSON object/],
    [hello([1, 2]), /JSON object/],
    [hello({ ...valid, version: 2 }), /version 2/],
    [hello({ ...valid, token: 5 }), /token/],
    [hello({ ...valid, terminal: '../etc' }), /terminal must be a name/],
    [hello({ ...valid, attendee: '-oProxyCommand=x' }), /attendee must be a name/],
    [hello({ ...valid, cols: 0 }), /cols and rows/],
    [hello({ ...valid, rows: 2.5 }), /cols and rows/],
    [new Uint8Array([ClientFrameType.resize, 1, 2, 3]), /4 bytes/],
    [new Uint8Array([ClientFrameType.ack, 1]), /4 bytes/],
    [new Uint8Array([ClientFrameType.skip, 0]), /no payload/],
  ];
  for (const [frame, reason] of malformed) {
    const decoded = decodeClientMessage(frame);
    assert.equal(decoded.type, 'malformed', reason.source);
    assert.match((decoded as { reason: string }).reason, reason);
  }
  assert.deepEqual(decodeClientMessage(new Uint8Array([0x42, 1])), { type: 'unknown', frameType: 0x42 });
  assert.deepEqual(decodeServerMessage(new Uint8Array([0x99])), { type: 'unknown', frameType: 0x99 });
  assert.equal(decodeServerMessage(new Uint8Array([ServerFrameType.state, ...bytes('{"role":"root"}')])).type, 'malformed');
});
