// The follow-me channel over real sockets: only the leading instructor's moves reach the followers, a co-presenter
// takes the lead explicitly, pages from other sites are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { createAccess } from '../../src/classroom/access.ts';
import { createFollowChannel } from '../../src/http/follow-channel.ts';
import { routeUpgrades } from '../../src/http/upgrade.ts';
import { followPath, type FollowServerMessage } from '../../src/protocol.ts';

interface Peer {
  readonly socket: WebSocket;
  readonly messages: FollowServerMessage[];
  /** Resolves with the next message matching `type`, already received or to come. */
  next(type: FollowServerMessage['type']): Promise<FollowServerMessage>;
  send(message: unknown): void;
}

async function withChannel(run: (connect: (query: string, origin?: string) => Promise<Peer>) => Promise<void>): Promise<void> {
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach' });
  const channel = createFollowChannel(access);
  const server: Server = createServer();
  routeUpgrades(server, { [followPath]: channel.handleUpgrade });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const peers: WebSocket[] = [];
  const connect = (query: string, origin = `http://${host}`): Promise<Peer> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${host}${followPath}?${query}`, { origin });
      peers.push(socket);
      const messages: FollowServerMessage[] = [];
      const waiting: [FollowServerMessage['type'], (message: FollowServerMessage) => void][] = [];
      let read = 0;
      const next = (type: FollowServerMessage['type']) =>
        new Promise<FollowServerMessage>((found) => {
          const index = messages.findIndex((message, i) => i >= read && message.type === type);
          if (index >= 0) {
            read = index + 1;
            found(messages[index]!);
          } else waiting.push([type, found]);
        });
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as FollowServerMessage;
        messages.push(message);
        const at = waiting.findIndex(([type]) => type === message.type);
        if (at >= 0) {
          read = messages.length;
          waiting.splice(at, 1)[0]![1](message);
        }
      });
      socket.once('open', () => resolve({ socket, messages, next, send: (message) => socket.send(JSON.stringify(message)) }));
      socket.once('error', reject);
    });
  try {
    await run(connect);
  } finally {
    for (const socket of peers) socket.terminate();
    channel.dispose();
    server.close();
  }
}

test('the first instructor leads; followers get its moves; attendees cannot lead', async () => {
  await withChannel(async (connect) => {
    const instructor = await connect('token=teach&client=a');
    assert.deepEqual(await instructor.next('welcome'), { type: 'welcome', instructor: true, leading: true, index: null, paused: false, message: null });
    const attendee = await connect('client=x');
    assert.deepEqual(await attendee.next('welcome'), { type: 'welcome', instructor: false, leading: false, index: null, paused: false, message: null });

    instructor.send({ type: 'goto', index: 4 });
    assert.deepEqual(await attendee.next('position'), { type: 'position', index: 4 });
    attendee.send({ type: 'goto', index: 9 });
    attendee.send({ type: 'take-lead' });
    instructor.send({ type: 'goto', index: 5 });
    assert.deepEqual(await attendee.next('position'), { type: 'position', index: 5 }, 'the instructor still leads');

    const late = await connect('client=y');
    assert.deepEqual(
      await late.next('welcome'),
      { type: 'welcome', instructor: false, leading: false, index: 5, paused: false, message: null },
      'joins where the lead is',
    );
    assert.equal(instructor.messages.filter((message) => message.type === 'position').length, 0, "the attendee's goto reached no one");
  });
});

test('a co-presenter takes the lead explicitly; the former leader is told and can no longer move followers', async () => {
  await withChannel(async (connect) => {
    const first = await connect('token=teach&client=a');
    await first.next('welcome');
    const co = await connect('token=teach&client=b');
    assert.deepEqual(await co.next('welcome'), { type: 'welcome', instructor: true, leading: false, index: null, paused: false, message: null });
    const attendee = await connect('client=x');
    await attendee.next('welcome');

    co.send({ type: 'take-lead' });
    assert.deepEqual(await co.next('lead'), { type: 'lead', leading: true });
    assert.deepEqual(await first.next('lead'), { type: 'lead', leading: false });
    first.send({ type: 'goto', index: 1 });
    co.send({ type: 'goto', index: 7 });
    assert.deepEqual(await attendee.next('position'), { type: 'position', index: 7 });
    assert.equal(attendee.messages.filter((message) => message.type === 'position').length, 1);
  });
});

test('pages from another site cannot connect', async () => {
  await withChannel(async (connect) => {
    await assert.rejects(connect('client=x', 'http://evil.example'), /403/);
  });
});
