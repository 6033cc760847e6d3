// A malformed WebSocket frame (here: reserved bits set, which no extension allows) makes ws emit 'error' on that
// socket: every channel must handle it by closing that socket (1002), not let it end the server (found by fuzz.test.ts:
// the live-reload channel had no 'error' listener). The server runs as a child process: a crash is it exiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exchange, webSocketFrame } from '../support/raw-exchange.ts';
import { startServedCli } from '../support/served-cli.ts';
import { dashboardPath, followPath, liveReloadPath, resultsPath, TERMINAL_SUBPROTOCOL } from '../../src/protocol.ts';
import { terminalSocketPath } from '../../src/http/terminal-route.ts';
import { tokenCookie } from '../../src/classroom/access.ts';

test('a malformed frame on any WebSocket channel closes that socket (1002) and the server stays up', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-frames-'));
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'slides', 'a.md'), '# A slide\n');
  await writeFile(
    join(dir, 'workshop.yml'),
    'title: Frames\nchat: chat\ngitrepo: example.org/repo\nslides: http://example.org/\ncontent:\n- slides/a.md\nterminals:\n  shell: cat\n',
  );
  const server = await startServedCli([join(dir, 'workshop.yml'), '--port', '0', '--data', join(dir, '.data'), '--classroom'], { cwd: dir, startTimeoutMs: 30_000 });
  try {
    const host = `127.0.0.1:${server.port}`;
    for (const path of [liveReloadPath, followPath, resultsPath, dashboardPath, terminalSocketPath]) {
      const request = [
        `GET ${path} HTTP/1.1`,
        `Host: ${host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Origin: http://${host}`,
        `Cookie: ${tokenCookie}=${server.instructorToken}`,
        ...(path === terminalSocketPath ? [`Sec-WebSocket-Protocol: ${TERMINAL_SUBPROTOCOL}`] : []),
        '',
        '',
      ].join('\r\n');
      const outcome = await exchange(
        server.port,
        {
          request: [Buffer.from(request)],
          frames: [webSocketFrame({ opcode: 0x2, payload: Buffer.from('x'), rsv: 2 })],
          lingerMs: 300,
        },
        3000,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(server.exited(), undefined, `${path}: the server exited after one malformed frame:\n${server.stderrTail().slice(-2000)}`);
      assert.equal(outcome.upgraded, true, `${path}: not upgraded (${outcome.statuses.join(', ')})`);
      assert.equal(outcome.closeCode, 1002, `${path}: expected a 1002 close, got ${outcome.closeCode}`);
    }
    const deck = await fetch(`${server.url}deck.json`, { headers: { authorization: `Bearer ${server.instructorToken}` } });
    assert.equal(deck.status, 200);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
