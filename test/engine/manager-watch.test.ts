// The cluster watch (engine/manager-watch.ts) against the real engine, its nodes' connections cut or stalled on
// purpose: a look asks every node's engine where the managers are, and one that never answers (its ssh hop stalled
// behind a node that changes its swarm role) must not hold that look, nor every look after it, for ever; and node1
// cut off when the watch had to look elsewhere is still known as node1, so the checks come back to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { watchSwarmManager } from '../../src/engine/manager-watch.ts';
import { waitUntil } from '../terminal/terminal-client.ts';

/** The real engine's socket (DOCKER_HOST when it is a unix socket, else Docker's default). */
function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? new URL(host).pathname : '/var/run/docker.sock';
}

/** A unix socket relaying to the real engine, that can be cut (connections ended, none taken) and opened again. */
function relayToEngine(path: string): { open(): Promise<void>; cut(): Promise<void> } {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    open: () =>
      new Promise((resolve) => {
        rmSync(path, { force: true });
        server = createServer((client) => {
          const engine = connect(engineSocket());
          for (const socket of [client, engine]) {
            sockets.add(socket);
            socket.on('close', () => sockets.delete(socket));
            socket.on('error', () => {
              client.destroy();
              engine.destroy();
            });
          }
          client.pipe(engine).pipe(client);
        });
        server.listen(path, resolve);
      }),
    cut: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server) server.close(() => resolve());
        else resolve();
      }),
  };
}

test('node1 cut off is still node1: once it answers as a manager again, the checks come back to it', { timeout: 60_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-manager-watch-'));
  const node1 = relayToEngine(join(folder, 'node1.sock'));
  await node1.open();
  // node2 is the same engine, reached directly: it lists node1's node (its own) as a ready manager throughout.
  const engines = [connectEngine({ host: `unix://${join(folder, 'node1.sock')}` }), connectEngine({ host: process.env.DOCKER_HOST })];
  const watch = watchSwarmManager(engines, { lookIntervalMs: 100, askTimeoutMs: 2000 });
  const seen = (): string => `reading node${watch.watching + 1}: ${JSON.stringify({ ...watch.current, tasks: [], services: [], containers: [], networks: [] })}`;
  try {
    await waitUntil(
      () => watch.current.isManager,
      20_000,
      () => `node1 read as a manager; ${seen()}`,
    );
    assert.equal(watch.watching, 0);
    await node1.cut();
    await waitUntil(
      () => watch.watching === 1 && watch.current.isManager,
      20_000,
      () => `node2 read once node1 is cut off; ${seen()}`,
    );
    const back = Date.now();
    await node1.open();
    await waitUntil(
      () => watch.watching === 0 && watch.current.isManager,
      10_000,
      () => `node1 read again once it answers; ${seen()}`,
    );
    process.stdout.write(`# node1 read again ${Date.now() - back} ms after it answered\n`);
  } finally {
    watch.dispose();
    await node1.cut();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an engine that never answers a look is given up on at the deadline: the watch follows the manager that answered', { timeout: 30_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-manager-watch-'));
  const held: Socket[] = [];
  const stalled = createServer((socket) => {
    held.push(socket);
  });
  await new Promise<void>((resolve) => stalled.listen(join(folder, 'stalled.sock'), resolve));
  const engines = [
    connectEngine({ host: `unix://${join(folder, 'nobody.sock')}` }),
    connectEngine({ host: `unix://${join(folder, 'stalled.sock')}` }),
    connectEngine({ host: process.env.DOCKER_HOST }),
  ];
  const started = Date.now();
  const watch = watchSwarmManager(engines, { lookIntervalMs: 100, askTimeoutMs: 500 });
  try {
    await waitUntil(
      () => watch.watching === 2 && watch.current.isManager,
      10_000,
      () =>
        `node3 read as the manager; reading node${watch.watching + 1}, ${held.length} connection(s) to the stalled node: ${JSON.stringify({ ...watch.current, tasks: [], services: [], containers: [], networks: [] })}`,
    );
    assert.ok(held.length > 0, 'the stalled node was asked');
    process.stdout.write(`# followed the manager past a stalled node in ${Date.now() - started} ms\n`);
  } finally {
    watch.dispose();
    for (const socket of held) socket.destroy();
    stalled.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
