// Hostile inputs for the server fuzz test (fuzz.test.ts), drawn from a seeded PRNG: mutations of valid HTTP requests
// (methods, targets, headers, lying framing, bodies), WebSocket upgrades to every channel with broken handshakes, and
// terminal sessions that open properly and then send random and malformed frames (docs/protocol.md).
import type { Prng } from '../support/prng.ts';
import { webSocketFrame, type ExchangePlan } from '../support/raw-exchange.ts';
import { ClientFrameType, dashboardPath, followPath, liveReloadPath, MAX_CLIENT_FRAME_BYTES, resultsPath, TERMINAL_SUBPROTOCOL } from '../../src/protocol.ts';
import { terminalSocketPath, terminalsInfoPath } from '../../src/http/terminal-route.ts';
import { dashboardPagePath } from '../../src/http/classroom-routes.ts';
import { tokenCookie } from '../../src/classroom/access.ts';

export interface FuzzTarget {
  /** The Host header a browser would send, e.g. 127.0.0.1:41234. */
  readonly host: string;
  readonly instructorToken: string;
  readonly watcherToken: string;
  /** The class code (a class server only): forms to /join with it create attendees. */
  readonly classCode: string | undefined;
  /** The workshop's terminal names. */
  readonly terminals: readonly string[];
}

export type FuzzKind = 'http' | 'upgrade' | 'terminal';

export interface FuzzCase {
  readonly index: number;
  readonly kind: FuzzKind;
  readonly plan: ExchangePlan;
  /** What was sent, printable and bounded: a failure names the input that caused it. */
  readonly summary: string;
}

/** How long one exchange may take: a server waiting for a body that never comes is cut off here. */
export const exchangeDeadlineMs: Readonly<Record<FuzzKind, number>> = { http: 1000, upgrade: 1500, terminal: 2500 };

const webSocketPaths = [liveReloadPath, followPath, terminalSocketPath, resultsPath, dashboardPath];
const jsonChannels = new Set([followPath, resultsPath, dashboardPath, liveReloadPath]);

export function fuzzCase(prng: Prng, index: number, target: FuzzTarget): FuzzCase {
  const kind = prng.weighted<FuzzKind>([
    [50, 'http'],
    [25, 'upgrade'],
    [25, 'terminal'],
  ]);
  const built = kind === 'http' ? httpRequest(prng, target) : kind === 'upgrade' ? upgradeRequest(prng, target) : terminalSession(prng, target);
  const request = Buffer.concat(built.request);
  return {
    index,
    kind,
    plan: built,
    summary:
      `${kind} case ${index}: ${JSON.stringify(request.toString('latin1').slice(0, 600))}${request.length > 600 ? ` (${request.length} bytes)` : ''}` +
      (built.frameNotes.length ? `; frames: ${built.frameNotes.join(', ')}` : ''),
  };
}

interface BuiltPlan extends ExchangePlan {
  readonly frameNotes: readonly string[];
}

// ── Pieces shared by every request ──

function tokenValues(target: FuzzTarget): string[] {
  return [
    target.instructorToken,
    target.watcherToken,
    '',
    '%',
    '%E0%A4%A',
    '%ff',
    '%%',
    '%u0041',
    'nope',
    'x'.repeat(3000),
    `${target.instructorToken}%`,
    `"${target.instructorToken}"`,
    '\u00e9\u00ff',
  ];
}

function requestTarget(prng: Prng, target: FuzzTarget, paths: readonly string[]): string {
  const base = prng.pick(paths);
  const token = (): string => prng.pick(tokenValues(target));
  return prng.weighted<() => string>([
    [12, () => base],
    [5, () => `${base}?token=${token()}`],
    [2, () => `${base}?token=${token()}&token=${token()}`],
    [1, () => `${base}?token[]=a&token[x]=b`],
    [2, () => `${base}?client=${prng.pick(['a', '%', '', 'x'.repeat(500), '%E0%A4%A'])}&watch`],
    [1, () => `${base}?code=${prng.pick([target.classCode ?? 'X', '%', 'x'.repeat(100)])}`],
    [2, () => '//['],
    [1, () => `//[${base}`],
    [1, () => `${base}//[`],
    [2, () => '%'],
    [1, () => '/%ff'],
    [1, () => `${base}%`],
    [1, () => `${base}/%E0%A4%A`],
    [1, () => '/..%2f..%2f..%2fetc%2fpasswd'],
    [1, () => '/../../../etc/passwd'],
    [1, () => '/%2e%2e/%2e%2e/etc/passwd'],
    [1, () => `/_labdeck/..%2f..%2f${base.slice(1)}`],
    [1, () => `/${'a'.repeat(prng.between(2000, 20000))}`],
    [1, () => `http://x${base}`],
    [1, () => `http://${target.host}${base}`],
    [1, () => 'http://[::1/'],
    [1, () => '*'],
    [1, () => ''],
    [1, () => `${base}#fragment`],
    [1, () => `${base}\u0000`],
    [1, () => base.replace(/\//g, '\\')],
    [1, () => `//${base}`],
    [1, () => base.toUpperCase()],
    [1, () => `/?${'&'.repeat(prng.between(100, 5000))}`],
    [
      1,
      () =>
        `${base}?${prng
          .bytes(prng.between(1, 40))
          .toString('latin1')
          .replace(/[\r\n ]/g, '_')}`,
    ],
  ])();
}

function cookieValue(prng: Prng, target: FuzzTarget): string {
  const value = prng.pick(tokenValues(target));
  return prng.weighted<() => string>([
    [6, () => `${tokenCookie}=${value}`],
    [1, () => `${tokenCookie}=${value}; ${tokenCookie}=%`],
    [1, () => `a=b; ${tokenCookie}=${value}; c`],
    [1, () => tokenCookie],
    [1, () => '=%; ;;=;'],
    [1, () => `${tokenCookie}=${encodeURIComponent(value)}`],
    [1, () => `${tokenCookie}=${'%41'.repeat(prng.between(10, 3000))}`],
  ])();
}

function hostHeaders(prng: Prng, target: FuzzTarget): string[] {
  return prng.weighted<string[]>([
    [10, [`Host: ${target.host}`]],
    [1, []],
    [1, ['Host: evil.example']],
    [1, ['Host: [']],
    [1, ['Host: ']],
    [1, [`Host: ${'h'.repeat(prng.between(1000, 20000))}`]],
    [1, [`Host: ${target.host}`, 'Host: evil.example']],
    [1, [`Host: ${target.host}:99999`]],
  ]);
}

function originHeaders(prng: Prng, target: FuzzTarget, usual: number): string[] {
  return prng.weighted<string[]>([
    [usual, [`Origin: http://${target.host}`]],
    [3, []],
    [1, ['Origin: http://evil.example']],
    [1, ['Origin: null']],
    [1, ['Origin: %']],
    [1, ['Origin: http://[']],
    [1, [`Origin: file://${target.host}`]],
    [1, [`Origin: http://${target.host}`, 'Origin: http://evil.example']],
    [1, [`Origin: HTTP://${target.host.toUpperCase()}`]],
  ]);
}

function credentialHeaders(prng: Prng, target: FuzzTarget, usual: number): string[] {
  return prng.weighted<() => string[]>([
    [usual, () => [`Cookie: ${tokenCookie}=${target.instructorToken}`]],
    [4, () => []],
    [4, () => [`Cookie: ${cookieValue(prng, target)}`]],
    [1, () => [`Cookie: ${cookieValue(prng, target)}`, `Cookie: ${cookieValue(prng, target)}`]],
    [2, () => [`Authorization: Bearer ${prng.pick(tokenValues(target))}`]],
    [1, () => ['Authorization: Bearer', 'Authorization: Basic Zm9vOmJhcg==']],
  ])();
}

/** Headers nobody sends: bad names, folded lines, lines without a colon, many or huge headers, raw bytes. */
function oddHeaders(prng: Prng): string[] {
  return prng.weighted<() => string[]>([
    [16, () => []],
    [
      1,
      () => [
        `X-${prng.int(1000)}: ${prng
          .bytes(prng.between(1, 60))
          .toString('latin1')
          .replace(/[\r\n]/g, ' ')}`,
      ],
    ],
    [1, () => ['Bad Header Name: x']],
    [1, () => ['X-Folded: a', ' folded continuation']],
    [1, () => ['no colon here']],
    [1, () => [': empty name']],
    [1, () => [`X-Huge: ${'v'.repeat(prng.between(5000, 30000))}`]],
    [1, () => Array.from({ length: prng.between(100, 400) }, (_, i) => `X-Many-${i}: ${i}`)],
    [1, () => ['Expect: 100-continue']],
    [1, () => ['Accept: application/json']],
    [1, () => [`Accept: ${prng.pick(['text/html', '*/*', ';;;', 'application/json;q=x'])}`]],
  ])();
}

function splitInChunks(prng: Prng, bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let rest = bytes;
  const pieces = prng.weighted([
    [6, 1],
    [2, 2],
    [1, 4],
  ]);
  for (let i = 1; i < pieces && rest.length > 1; i++) {
    const at = prng.between(1, rest.length - 1);
    chunks.push(rest.subarray(0, at));
    rest = rest.subarray(at);
  }
  chunks.push(rest);
  return chunks;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

// ── Plain HTTP requests ──

function httpRequest(prng: Prng, target: FuzzTarget): BuiltPlan {
  const paths = [
    '/',
    '/deck.json',
    '/join',
    `/join?code=${target.classCode ?? 'X'}`,
    dashboardPagePath,
    terminalsInfoPath,
    '/_labdeck/labdeck.css',
    '/_labdeck/build/labdeck.js',
    '/workshop.yml',
    '/slides/lab.md',
    '/favicon.ico',
    '/_labdeck/',
    '/_labdeck/nothing',
    ...webSocketPaths,
  ];
  const method = prng.weighted<() => string>([
    [12, () => 'GET'],
    [5, () => 'POST'],
    [1, () => 'HEAD'],
    [1, () => 'PUT'],
    [1, () => 'DELETE'],
    [1, () => 'OPTIONS'],
    [1, () => 'PATCH'],
    [1, () => 'TRACE'],
    [1, () => 'CONNECT'],
    [1, () => 'get'],
    [1, () => 'G\u0000T'],
    [1, () => 'M'.repeat(prng.between(20, 2000))],
    [
      1,
      () =>
        prng
          .bytes(prng.between(1, 8))
          .toString('latin1')
          .replace(/[\r\n ]/g, 'x'),
    ],
  ])();
  const path = method === 'POST' && prng.chance(0.6) ? '/join' : requestTarget(prng, target, paths);
  const version = prng.weighted([
    [20, 'HTTP/1.1'],
    [2, 'HTTP/1.0'],
    [1, 'HTTP/2.0'],
    [1, 'HTTP/1.1x'],
    [1, ''],
    [1, 'HTTP/0.9'],
  ]);
  const body = requestBody(prng, target, path);
  const headers = [
    ...hostHeaders(prng, target),
    ...credentialHeaders(prng, target, 4),
    ...(prng.chance(0.3) ? originHeaders(prng, target, 3) : []),
    ...oddHeaders(prng),
    ...(body.contentType ? [`Content-Type: ${body.contentType}`] : []),
    prng.weighted([
      [6, 'Connection: close'],
      [2, 'Connection: keep-alive'],
      [2, ''],
      [1, 'Connection: Upgrade'],
    ]),
  ].filter((line) => line !== '');
  const framed = frameBody(prng, body.bytes);
  let request: Buffer = Buffer.concat([
    latin1(`${method} ${path}${version ? ` ${version}` : ''}\r\n${[...headers, ...framed.headers].map((line) => `${line}\r\n`).join('')}\r\n`),
    framed.body,
  ]);
  request = prng.weighted<() => Buffer>([
    [14, () => request],
    // Pipelined: a second request (valid) right behind the first.
    [2, () => Buffer.concat([request, latin1(`GET /deck.json HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`)])],
    // Cut anywhere: the server waits for the rest until the client goes.
    [2, () => request.subarray(0, prng.int(request.length))],
    [1, () => prng.bytes(prng.between(1, 2000))],
    [1, () => Buffer.concat([latin1('GET / HTTP/1.1\r\n'), prng.bytes(prng.between(1, 500)), latin1('\r\n\r\n')])],
  ])();
  return { request: splitInChunks(prng, request), lingerMs: 30, frameNotes: [] };
}

function requestBody(prng: Prng, target: FuzzTarget, path: string): { bytes: Buffer; contentType?: string } {
  const text = (value: string, contentType?: string): { bytes: Buffer; contentType?: string } => ({
    bytes: Buffer.from(value, 'utf8'),
    ...(contentType ? { contentType } : {}),
  });
  const name = (): string =>
    prng.pick([
      'alice',
      '',
      ' ',
      '%',
      '%E0%A4%A',
      'x'.repeat(prng.between(50, 5000)),
      '<script>alert(1)</script>',
      '\u202e\u0000\ud83d\ude00',
      "Robert'); DROP TABLE attendees;--",
    ]);
  const code = (): string => prng.pick([target.classCode ?? 'X', (target.classCode ?? 'x').toLowerCase(), '', '%', 'WRONG']);
  return prng.weighted<() => { bytes: Buffer; contentType?: string }>([
    [6, () => ({ bytes: Buffer.alloc(0) })],
    [path.startsWith('/join') ? 8 : 1, () => text(`name=${encodeURIComponent(name())}&code=${encodeURIComponent(code())}`, 'application/x-www-form-urlencoded')],
    [
      2,
      () =>
        text(
          prng.pick(['name=%&code=%', 'name[]=a&name[]=b&code[x]=1', 'name=a&name=b&code=c&code=d', '%%%', '&&&=&=', `name=${'%41'.repeat(3000)}`]),
          'application/x-www-form-urlencoded',
        ),
    ],
    [2, () => text(prng.pick(['{"type":"hello"}', '{', '[]', 'null', '{"__proto__":{"polluted":1}}', '['.repeat(prng.between(100, 20000))]), 'application/json')],
    [
      2,
      () => ({
        bytes: prng.bytes(prng.between(1, 4096)),
        contentType: prng.pick([
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          'application/json',
          'multipart/form-data; boundary=',
          'text/plain; charset=utf-77',
        ]),
      }),
    ],
    [1, () => ({ bytes: Buffer.alloc(prng.between(5000, 20000), 0x61), contentType: 'application/x-www-form-urlencoded' })],
  ])();
}

/** Content-Length and Transfer-Encoding, honest or lying. */
function frameBody(prng: Prng, body: Buffer): { headers: string[]; body: Buffer } {
  const chunked = (): Buffer => Buffer.concat([latin1(`${body.length.toString(16)}\r\n`), body, latin1('\r\n0\r\n\r\n')]);
  return prng.weighted<() => { headers: string[]; body: Buffer }>([
    [10, () => ({ headers: body.length || prng.chance(0.5) ? [`Content-Length: ${body.length}`] : [], body })],
    [1, () => ({ headers: [`Content-Length: ${body.length + prng.between(1, 100_000)}`], body })],
    [1, () => ({ headers: [`Content-Length: ${Math.max(0, body.length - prng.between(1, 50))}`], body })],
    [1, () => ({ headers: [`Content-Length: ${prng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999', ' 5', '5, 6'])}`], body })],
    [1, () => ({ headers: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`], body })],
    [2, () => ({ headers: ['Transfer-Encoding: chunked'], body: chunked() })],
    [
      1,
      () => ({
        headers: ['Transfer-Encoding: chunked'],
        body: Buffer.concat([latin1(prng.pick(['zz\r\n', 'ffffffffffffffff\r\n', '5\r\nab', '-1\r\n', '3;ext=\u0000\r\nabc\r\n', '5\r\nabcdefgh\r\n0\r\n\r\n'])), body]),
      }),
    ],
    [1, () => ({ headers: ['Transfer-Encoding: chunked', `Content-Length: ${body.length}`], body: chunked() })],
    [1, () => ({ headers: [`Transfer-Encoding: ${prng.pick(['gzip', 'chunked, gzip', 'identity', 'x'])}`], body })],
  ])();
}

// ── WebSocket upgrades ──

const validKey = (prng: Prng): string => prng.bytes(16).toString('base64');

function upgradeHeaders(prng: Prng, target: FuzzTarget, path: string, mutate: boolean): string[] {
  const wantsTerminal = path.startsWith(terminalSocketPath);
  const pick = <T>(usual: T, variants: readonly T[]): T => (mutate && prng.chance(0.2) ? prng.pick(variants) : usual);
  return [
    ...(mutate ? hostHeaders(prng, target) : [`Host: ${target.host}`]),
    ...pick(
      ['Upgrade: websocket'],
      [[], ['Upgrade: WebSocket'], ['Upgrade: websocket, h2c'], ['Upgrade: h2c'], [`Upgrade: ${'w'.repeat(5000)}`], ['Upgrade: websocket', 'Upgrade: h2c']],
    ),
    ...pick(['Connection: Upgrade'], [[], ['Connection: keep-alive, Upgrade'], ['Connection: close'], ['Connection: upgrade, close']]),
    ...pick(
      [`Sec-WebSocket-Key: ${validKey(prng)}`],
      [
        [],
        ['Sec-WebSocket-Key: abc'],
        ['Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!=='],
        [`Sec-WebSocket-Key: ${'A'.repeat(5000)}`],
        [`Sec-WebSocket-Key: ${validKey(prng)}`, `Sec-WebSocket-Key: ${validKey(prng)}`],
      ],
    ),
    ...pick(
      ['Sec-WebSocket-Version: 13'],
      [
        [],
        ['Sec-WebSocket-Version: 8'],
        ['Sec-WebSocket-Version: x'],
        ['Sec-WebSocket-Version: 13, 13'],
        ['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'],
        ['Sec-WebSocket-Version: 99999999999999999999'],
      ],
    ),
    ...pick(wantsTerminal ? [`Sec-WebSocket-Protocol: ${TERMINAL_SUBPROTOCOL}`] : [], [
      [],
      ['Sec-WebSocket-Protocol: x'],
      ['Sec-WebSocket-Protocol: ,,,'],
      [`Sec-WebSocket-Protocol: ${TERMINAL_SUBPROTOCOL}, ${TERMINAL_SUBPROTOCOL}`],
      ['Sec-WebSocket-Protocol: a b'],
      [`Sec-WebSocket-Protocol: ${TERMINAL_SUBPROTOCOL}`, 'Sec-WebSocket-Protocol: x'],
    ]),
    ...pick(
      [],
      [
        ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=abc'],
        ['Sec-WebSocket-Extensions: ;;;'],
        ['Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=1'],
      ],
    ),
    ...(mutate ? originHeaders(prng, target, 12) : [`Origin: http://${target.host}`]),
    ...(mutate ? credentialHeaders(prng, target, 8) : [`Cookie: ${tokenCookie}=${target.instructorToken}`]),
    ...(mutate ? oddHeaders(prng) : []),
  ];
}

function upgradeRequest(prng: Prng, target: FuzzTarget): BuiltPlan {
  const paths = [...webSocketPaths, '/', '/nope', `${terminalSocketPath}/`, '/_labdeck/LIVE', '/deck.json'];
  const path = prng.chance(0.5) ? prng.pick(paths) : requestTarget(prng, target, paths);
  const method = prng.weighted([
    [12, 'GET'],
    [1, 'POST'],
    [1, 'OPTIONS'],
    [1, 'get'],
  ]);
  const headers = upgradeHeaders(prng, target, path, true);
  // Bytes right behind the head reach the channel as its `head`: they may be a frame, or garbage.
  const trailing = prng.weighted<() => Buffer>([
    [8, () => Buffer.alloc(0)],
    [1, () => prng.bytes(prng.between(1, 300))],
    [1, () => channelFrame(prng, path).frame],
  ])();
  const request = Buffer.concat([latin1(`${method} ${path} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`), trailing]);
  const frames = Array.from({ length: prng.between(0, 6) }, () => channelFrame(prng, path));
  return {
    request: splitInChunks(prng, request),
    frames: frames.map((entry) => entry.frame),
    lingerMs: prng.between(20, 150),
    frameNotes: frames.map((entry) => entry.note),
  };
}

interface NotedFrame {
  readonly frame: Buffer;
  readonly note: string;
}

/** A frame on a JSON channel (follow, results, dashboard, live): its messages mutated, or the WebSocket framing broken. */
function channelFrame(prng: Prng, path: string): NotedFrame {
  const text = (value: string): NotedFrame => ({
    frame: webSocketFrame({ opcode: 0x1, payload: Buffer.from(value, 'utf8') }),
    note: `text ${JSON.stringify(value.slice(0, 80))}`,
  });
  const number = (): unknown => prng.pick([0, 1, -1, 1.5, 1e9, 2 ** 53, null, '3', [], {}]);
  const messages: (() => unknown)[] = [
    () => ({ type: 'goto', index: number() }),
    () => ({ type: 'take-lead' }),
    () => ({ type: 'at', index: number(), following: prng.pick([true, false, 'yes', null]) }),
    () => ({ type: 'check-now', ...(prng.chance(0.5) ? { stepId: prng.pick(['x', '', 'x'.repeat(300), 1]) } : {}) }),
    () => ({ type: 'confirm', stepId: prng.pick(['x', '', 7]), confirmed: prng.pick([true, false, 'no']) }),
    () => ({ type: 'gather' }),
    () => ({ type: 'pause', paused: prng.pick([true, false, 1]) }),
    () => ({ type: 'broadcast', text: prng.pick(['hello', '', '<b>x</b>', 'x'.repeat(1500), 42]) }),
    () => ({ type: 'remove', attendee: prng.pick(['nobody', '', '../x', 3]) }),
  ];
  if (!jsonChannels.has(path) || prng.chance(0.3)) return brokenFrame(prng);
  return prng.weighted<() => NotedFrame>([
    [8, () => text(JSON.stringify(prng.pick(messages)()))],
    [1, () => text(prng.pick(['null', '[]', '{', '"x"', '{"type":"__proto__"}', '{"__proto__":{"type":"gather"}}', '['.repeat(prng.between(100, 1000))]))],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x2, payload: prng.bytes(prng.between(0, 200)) }), note: 'binary on a JSON channel' })],
  ])();
}

/** WebSocket framing violations and control frames: every channel's socket must survive them. */
function brokenFrame(prng: Prng): NotedFrame {
  const payload = prng.bytes(prng.between(0, 100));
  return prng.weighted<() => NotedFrame>([
    [2, () => ({ frame: webSocketFrame({ opcode: 0x1, payload: prng.bytes(prng.between(1, 100)) }), note: 'text, invalid UTF-8 likely' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x1, payload, mask: false }), note: 'unmasked' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x2, payload, rsv: prng.between(1, 7) }), note: 'reserved bits' })],
    [
      1,
      () => {
        const opcode = prng.pick([0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xf]);
        return { frame: webSocketFrame({ opcode, payload }), note: `opcode 0x${opcode.toString(16)}` };
      },
    ],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x0, payload }), note: 'continuation without a start' })],
    [
      1,
      () => ({
        frame: Buffer.concat([webSocketFrame({ opcode: 0x2, payload, fin: false }), webSocketFrame({ opcode: 0x1, payload })]),
        note: 'fragment interrupted by a new message',
      }),
    ],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x9, payload }), note: 'ping' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x9, payload: prng.bytes(prng.between(126, 300)) }), note: 'ping over 125 bytes' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x8, payload: prng.bytes(prng.pick([1, 2, 3, 50])) }), note: 'close with a random code' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x9, payload, fin: false }), note: 'fragmented ping' })],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x2, payload, announcedLength: prng.pick([2 ** 32, 2 ** 53 - 1, 70_000, payload.length + 10]) }), note: 'length lie' })],
    [1, () => ({ frame: prng.bytes(prng.between(1, 40)), note: 'random bytes' })],
  ])();
}

// ── Terminal sessions ──

function terminalSession(prng: Prng, target: FuzzTarget): BuiltPlan {
  const query = prng.weighted([
    [10, ''],
    [2, '?watch'],
    [1, `?token=${target.watcherToken}`],
    [1, '?token=%'],
  ]);
  const mutate = prng.chance(0.15);
  const headers = upgradeHeaders(prng, target, terminalSocketPath, mutate);
  const request = latin1(`GET ${terminalSocketPath}${query} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`);
  const frames: NotedFrame[] = [prng.chance(0.75) ? helloFrame(prng, target, true) : helloFrame(prng, target, false)];
  const count = prng.weighted([
    [3, prng.between(0, 4)],
    [3, prng.between(5, 24)],
    [1, prng.between(25, 80)],
  ]);
  for (let i = 0; i < count; i++) frames.push(terminalFrame(prng, target));
  if (prng.chance(0.3)) frames.push({ frame: webSocketFrame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) }), note: 'close 1000' });
  return {
    request: splitInChunks(prng, request),
    frames: frames.map((entry) => entry.frame),
    lingerMs: prng.between(50, 300),
    frameNotes: frames.map((entry) => entry.note),
  };
}

const binary = (bytes: Buffer, note: string): NotedFrame => ({ frame: webSocketFrame({ opcode: 0x2, payload: bytes }), note });

function typed(type: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), payload]);
}

function helloFrame(prng: Prng, target: FuzzTarget, valid: boolean): NotedFrame {
  // A few attendees only: an instructor may open anyone's terminal, and each one is a process.
  const hello: Record<string, unknown> = {
    version: 1,
    token: prng.chance(0.8) ? target.instructorToken : prng.pick(['', target.watcherToken]),
    terminal: prng.pick(target.terminals),
    ...(prng.chance(0.5) ? { attendee: prng.pick(['alice', 'bob']) } : {}),
    cols: prng.between(1, 500),
    rows: prng.between(1, 300),
  };
  if (valid) return binary(typed(ClientFrameType.hello, Buffer.from(JSON.stringify(hello))), `hello ${JSON.stringify({ ...hello, token: '…' })}`);
  const field = prng.pick(['version', 'token', 'terminal', 'attendee', 'cols', 'rows', 'payload']);
  const bad: unknown = prng.pick([0, 2, '1', null, -1, 1.5, 65536, 1e300, '', 'x'.repeat(2000), '../etc', 'a b', {}, [], 'nope', '%', '\u0000']);
  const payload =
    field === 'payload'
      ? prng.pick([
          Buffer.alloc(0),
          latin1('{'),
          latin1('null'),
          latin1('[]'),
          prng.bytes(prng.between(1, 200)),
          Buffer.from(JSON.stringify({ ...hello, padding: 'x'.repeat(MAX_CLIENT_FRAME_BYTES) })),
        ])
      : Buffer.from(JSON.stringify({ ...hello, [field]: bad }));
  return binary(typed(ClientFrameType.hello, payload), `bad hello (${field}: ${JSON.stringify(field === 'payload' ? payload.length : bad).slice(0, 40)})`);
}

function terminalFrame(prng: Prng, target: FuzzTarget): NotedFrame {
  const uint32 = (value: number): Buffer => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0);
    return out;
  };
  return prng.weighted<() => NotedFrame>([
    [
      8,
      () => {
        const data = prng.bytes(prng.between(1, 300));
        return binary(typed(ClientFrameType.input, data), `input ${data.length} random bytes`);
      },
    ],
    [
      4,
      () => {
        const data = prng.pick([
          'hello\r',
          'x'.repeat(200),
          '\u00e9\u20ac\ud83d\ude00\r',
          '\u001b[31m',
          '\u001b]0;title\u0007',
          '\u0003',
          '\u0004',
          '\u001a',
          '\u001c',
          '\u0013',
          '\u0011',
        ]);
        return binary(typed(ClientFrameType.input, Buffer.from(data)), `input ${JSON.stringify(data)}`);
      },
    ],
    [1, () => binary(typed(ClientFrameType.input, Buffer.alloc(prng.between(20_000, MAX_CLIENT_FRAME_BYTES - 1), 0x61)), 'input, a large paste')],
    [
      3,
      () => {
        const size = Buffer.alloc(4);
        size.writeUInt16BE(prng.pick([0, 1, 80, 400, 401, 65535, prng.int(65536)]), 0);
        size.writeUInt16BE(prng.pick([0, 1, 24, 200, 201, 65535, prng.int(65536)]), 2);
        return binary(typed(ClientFrameType.resize, size), `resize ${size.readUInt16BE(0)}x${size.readUInt16BE(2)}`);
      },
    ],
    [
      1,
      () => {
        const length = prng.pick([0, 1, 3, 5, 100]);
        return binary(typed(ClientFrameType.resize, prng.bytes(length)), `resize with ${length} bytes`);
      },
    ],
    [
      3,
      () => {
        const value = prng.pick([0, 1, 1000, 65536, 0xffffffff, prng.int(0x100000000)]);
        return binary(typed(ClientFrameType.ack, uint32(value)), `ack ${value}`);
      },
    ],
    [
      1,
      () => {
        const length = prng.pick([0, 2, 3, 8]);
        return binary(typed(ClientFrameType.ack, prng.bytes(length)), `ack with ${length} bytes`);
      },
    ],
    [2, () => binary(typed(ClientFrameType.skip, Buffer.alloc(0)), 'skip')],
    [1, () => binary(typed(ClientFrameType.skip, prng.bytes(prng.between(1, 10))), 'skip with a payload')],
    [
      2,
      () => {
        const type = prng.pick([0x00, 0x06, 0x7f, 0x81, 0x82, 0xff, prng.int(256)]);
        return binary(typed(type, prng.bytes(prng.between(0, 100))), `type 0x${type.toString(16)}`);
      },
    ],
    [1, () => binary(Buffer.alloc(0), 'empty binary frame')],
    [1, () => helloFrame(prng, target, prng.chance(0.5))],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x1, payload: Buffer.from('{"type":"input"}') }), note: 'text frame' })],
    [1, () => binary(typed(ClientFrameType.input, Buffer.alloc(prng.between(MAX_CLIENT_FRAME_BYTES, MAX_CLIENT_FRAME_BYTES + 5000), 0x62)), 'oversized frame')],
    [
      1,
      () => ({
        frame: Buffer.concat([
          webSocketFrame({ opcode: 0x2, payload: Buffer.from([ClientFrameType.input, 0x61]), fin: false }),
          webSocketFrame({ opcode: 0x0, payload: Buffer.from('bc\r') }),
        ]),
        note: 'input in two fragments',
      }),
    ],
    [1, () => ({ frame: webSocketFrame({ opcode: 0x2, payload: typed(ClientFrameType.resize, Buffer.from([0, 80])) }).subarray(0, 5), note: 'frame cut short' })],
    [2, () => brokenFrame(prng)],
  ])();
}
