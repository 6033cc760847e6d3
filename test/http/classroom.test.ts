// The classroom over real HTTP and WebSockets (startServer on port 0, a real store in a temp folder, fake checks):
// joining, the deck page's door, who may see the dashboard (page and socket), and progress recorded per attendee.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { openClassroom, type Classroom } from '../../src/classroom.ts';
import { dashboardPath, followPath, type DashboardServerMessage, type FollowServerMessage, type DeckJson, type ResultsServerMessage, type StepResultJson } from '../../src/protocol.ts';

const deck: DeckJson = { version: 1, title: 'Class', ratio: '16:9', error: null, slides: [], steps: [{ id: 's1', slide: 2, text: 'Run it' }] };
const pending: StepResultJson = { stepId: 's1', status: 'pending', reason: 'not yet', kind: 'ran', origin: 'inferred', selfReported: false, confirmed: false, at: 1 };
const listeners = new Set<(message: ResultsServerMessage) => void>();
const checks = {
  state: () => ({ engine: { reachable: true, error: null, swarm: 'active' }, results: [pending] }),
  onUpdate(listener: (message: ResultsServerMessage) => void) {
    listeners.add(listener);
    return { dispose: () => void listeners.delete(listener) };
  },
};

let dataDir: string;
let classroom: Classroom;
let server: RunningServer;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'labdeck-classroom-'));
  classroom = openClassroom({ dataDir, deck: { current: () => deck, onChange: () => () => {} }, checksOf: () => checks, openToLocalAttendee: false });
  server = await startServer(
    { deck: { current: () => deck, onChange: () => () => {} }, workshopDir: dataDir, assetsDir: dataDir, log: () => {}, access: classroom.access, classroom },
    { port: 0, host: '127.0.0.1' },
  );
});

after(async () => {
  await server.close();
  classroom.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

async function joinClass(name: string, code = classroom.classCode): Promise<Response> {
  return fetch(`${server.url}join`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ code, name }) });
}

async function joinedToken(name: string): Promise<string> {
  const response = await joinClass(name);
  assert.equal(response.status, 303);
  return /labdeck_token=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1]!;
}

function openDashboardSocket(token?: string): Promise<{ status: number; socket?: WebSocket }> {
  const headers: Record<string, string> = { origin: server.url.slice(0, -1) };
  if (token) headers.cookie = `labdeck_token=${token}`;
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}${dashboardPath.slice(1)}`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('error', reject);
  });
}

function nextState(socket: WebSocket): Promise<DashboardServerMessage> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as DashboardServerMessage)));
}

test('joining: the class code and a name give an HttpOnly, SameSite=Strict cookie that opens the deck', async () => {
  assert.equal((await joinClass('Ada', 'WRONG1')).status, 403);
  const empty = await joinClass('   ');
  assert.equal(empty.status, 400);
  const hostile = await joinClass('<script>alert(1)</script>'.repeat(4));
  assert.equal(hostile.status, 400, 'too long');
  const page = await hostile.text();
  assert.ok(page.includes('&lt;script&gt;') && !page.includes('<script>alert'), 'the name is escaped when shown back');

  const response = await joinClass('Ada');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/');
  const cookie = response.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const token = /labdeck_token=([^;]+)/.exec(cookie)![1]!;
  assert.equal((await fetch(server.url, { headers: { cookie: `labdeck_token=${token}` } })).status, 200);
  const back = await fetch(`${server.url}join`, { redirect: 'manual', headers: { cookie: `labdeck_token=${token}` } });
  assert.equal(back.status, 303, 'a joined attendee who opens /join again is sent to the deck');
});

test('the deck page: nobody is sent to /join, an unknown token gets a clear 401 page', async () => {
  const anonymous = await fetch(server.url, { redirect: 'manual' });
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get('location'), '/join');
  const stale = await fetch(server.url, { headers: { cookie: 'labdeck_token=forgotten' } });
  assert.equal(stale.status, 401);
  assert.match(await stale.text(), /not valid for this class/);
});

test('the dashboard is for instructors only, on the HTTP path and the WebSocket', async () => {
  const attendee = await joinedToken('Bob');
  const dashboard = `${server.url}_labdeck/dashboard`;
  assert.equal((await fetch(dashboard)).status, 401);
  assert.equal((await fetch(dashboard, { headers: { cookie: `labdeck_token=${attendee}` } })).status, 403);
  assert.equal((await fetch(dashboard, { headers: { cookie: `labdeck_token=${classroom.access.watcherToken}` } })).status, 403);
  assert.equal((await fetch(`${dashboard}?token=${classroom.access.instructorToken}`)).status, 200);

  assert.equal((await openDashboardSocket()).status, 401);
  assert.equal((await openDashboardSocket(attendee)).status, 403);
  assert.equal((await openDashboardSocket(classroom.access.watcherToken)).status, 403);
  const instructor = await openDashboardSocket(classroom.access.instructorToken);
  assert.equal(instructor.status, 101);
  instructor.socket!.close();
});

test('every result change is recorded per attendee and reaches the dashboard live', async () => {
  await joinedToken('<b>Cy</b>');
  const { socket } = await openDashboardSocket(classroom.access.instructorToken);
  const first = await nextState(socket!);
  const cy = first.state.attendees.find((a) => a.name === '<b>Cy</b>');
  assert.ok(cy, 'the name arrives as data, exactly as typed');
  assert.deepEqual(first.state.results.filter((r) => r.attendee === cy.id).map((r) => r.status), ['pending']);

  const update = nextState(socket!);
  for (const listener of listeners) listener({ type: 'result', result: { ...pending, status: 'passed', reason: 'ran', at: 2 } });
  const after = await update;
  for (const attendee of after.state.attendees) {
    assert.deepEqual(after.state.results.filter((r) => r.attendee === attendee.id).map((r) => r.status), ['passed'], attendee.name);
  }
  socket!.close();
});

function openFollowSocket(token: string, client: string): Promise<{ socket: WebSocket; messages: FollowServerMessage[] }> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}${followPath.slice(1)}?client=${client}`, {
    headers: { origin: server.url.slice(0, -1), cookie: `labdeck_token=${token}` },
  });
  const messages: FollowServerMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as FollowServerMessage));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('"everyone to my slide" from the dashboard sends every following page to the leader\'s slide', async () => {
  const attendee = await openFollowSocket(await joinedToken('Dee'), 'dee-browser');
  const leader = await openFollowSocket(classroom.access.instructorToken, 'instructor-browser');
  leader.socket.send(JSON.stringify({ type: 'goto', index: 7 }));
  await until(() => attendee.messages.some((m) => m.type === 'position' && m.index === 7));
  const { socket: dashboard } = await openDashboardSocket(classroom.access.instructorToken);
  dashboard!.send(JSON.stringify({ type: 'gather' }));
  await until(() => attendee.messages.some((m) => m.type === 'gather'));
  assert.deepEqual(attendee.messages.find((m) => m.type === 'gather'), { type: 'gather', index: 7 });
  assert.equal(leader.messages.some((m) => m.type === 'gather'), false, 'the leader is not moved');
  for (const socket of [attendee.socket, leader.socket, dashboard!]) socket.close();
});
