// The classroom over real HTTP and WebSockets (startServer on port 0, a real store in a temp folder, fake checks):
// joining, the deck page's door, who may see the dashboard (page and socket), progress recorded per attendee, role
// checks on every route and channel (terminals included, with real bash PTYs), and the dashboard's live data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPtyDescriptors } from '../support/processes.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { openClassroom, type Classroom } from '../../src/classroom/classroom.ts';
import {
  dashboardPath,
  decodeServerMessage,
  encodeClientMessage,
  followPath,
  liveReloadPath,
  TERMINAL_PROTOCOL_VERSION,
  TERMINAL_SUBPROTOCOL,
  type DashboardAttendeeJson,
  type DashboardServerMessage,
  type DashboardState,
  type DeckJson,
  type FollowServerMessage,
  type ResultsServerMessage,
  type SlideJson,
  type StepResultJson,
} from '../../src/protocol.ts';
import { createTerminalService } from '../../src/http/terminal-route.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { openExistingStore } from '../../src/progress/store.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';

const slides = [{ html: '<h1>Welcome</h1>' }, { html: '<h2>Run <code>it</code></h2>' }, { html: '<h1>Scale</h1>' }].map((slide) => ({
  ...slide,
  notes: '',
  source: { file: 'slides/class.md', line: 1 },
})) as unknown as SlideJson[];
const deck: DeckJson = {
  version: 1,
  title: 'Class',
  ratio: '16:9',
  error: null,
  slides,
  steps: [{ id: 's1', slide: 2, index: 0, text: 'Run it', commands: [], directives: [], source: { file: 'slides/class.md', line: 1 } }],
};
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
let terminalManager: TerminalManager;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'labdeck-classroom-'));
  classroom = openClassroom({ dataDir, deck: { current: () => deck, onChange: () => ({ dispose() {} }) }, checksOf: () => checks, openToLocalAttendee: false });
  terminalManager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment() });
  const terminals = createTerminalService({
    manager: terminalManager,
    access: classroom.access,
    terminals: ['shell'],
    handsOn: [],
    log: () => {},
  });
  server = await startServer(
    {
      deck: { current: () => deck, onChange: () => ({ dispose() {} }) },
      workshopDir: dataDir,
      assetsDir: dataDir,
      log: () => {},
      access: classroom.access,
      classroom,
      terminals,
    },
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

/** `token`: the holder of the `labdeck_token` cookie; or `{ cookie }`: a browser's whole cookie header. */
function openDashboardSocket(token?: string | { readonly cookie: string }): Promise<{ status: number; socket?: WebSocket }> {
  const headers: Record<string, string> = { origin: server.url.slice(0, -1) };
  if (typeof token === 'object') headers.cookie = token.cookie;
  else if (token) headers.cookie = `labdeck_token=${token}`;
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}${dashboardPath.slice(1)}`, { headers });
  // The state may arrive in the same packet as the upgrade's answer, before anyone listens: keep every message.
  const received: DashboardServerMessage[] = [];
  const waiting: ((message: DashboardServerMessage) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as DashboardServerMessage;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  inboxes.set(socket, { received, waiting });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('error', reject);
  });
}

const inboxes = new WeakMap<WebSocket, { received: DashboardServerMessage[]; waiting: ((message: DashboardServerMessage) => void)[] }>();

function nextMessage(socket: WebSocket): Promise<DashboardServerMessage> {
  const inbox = inboxes.get(socket)!;
  const first = inbox.received.shift();
  return first ? Promise.resolve(first) : new Promise((resolve) => inbox.waiting.push(resolve));
}

async function nextState(socket: WebSocket): Promise<DashboardState> {
  const message = await nextMessage(socket);
  assert.equal(message.type, 'state');
  return message.state;
}

/** A dashboard connection that keeps its state up to date with the patches, as the page does. */
async function watchDashboard(): Promise<{ socket: WebSocket; attendee(id: string): DashboardAttendeeJson | undefined; state(): DashboardState }> {
  const { socket } = await openDashboardSocket(classroom.access.instructorToken);
  let state = await nextState(socket!);
  const follow = async (): Promise<void> => {
    const message = await nextMessage(socket!);
    void follow();
    if (message.type === 'state') state = message.state;
    else {
      const changed = new Map(message.patch.attendees.map((a) => [a.id, a]));
      const cells = new Map(message.patch.results.map((r) => [`${r.attendee}/${r.step}`, r]));
      state = {
        ...state,
        attendees: [...state.attendees.map((a) => changed.get(a.id) ?? a), ...message.patch.attendees.filter((a) => !state.attendees.some((known) => known.id === a.id))],
        results: [
          ...state.results.map((r) => cells.get(`${r.attendee}/${r.step}`) ?? r),
          ...message.patch.results.filter((r) => !state.results.some((known) => known.attendee === r.attendee && known.step === r.step)),
        ],
        follow: message.patch.follow ?? state.follow,
      };
    }
  };
  void follow();
  return { socket: socket!, attendee: (id) => state.attendees.find((a) => a.id === id), state: () => state };
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

/** One browser's cookies for this server: what each response sets (or clears) is sent with the next request. */
function cookieJar(): { readonly header: () => string; readonly fetch: (path: string) => Promise<Response> } {
  const cookies = new Map<string, string>();
  const header = (): string => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return {
    header,
    async fetch(path) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie: header() } });
      for (const line of response.headers.getSetCookie()) {
        const [, name, value] = /^([^=]+)=([^;]*)/.exec(line) ?? [];
        if (!name) continue;
        if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value!);
      }
      return response;
    },
  };
}

test("the projector's link opened after the instructor's in one browser: the instructor keeps their dashboard", { timeout: 30_000 }, async () => {
  const dee = await joinedToken('Dee');
  const deeId = classroom.access.identify(dee)!.attendee;
  const browser = cookieJar();
  assert.equal((await browser.fetch(`_labdeck/dashboard?token=${classroom.access.instructorToken}`)).status, 200);
  // The projector's link, in another tab of the same browser: that tab is the projector's.
  assert.equal((await browser.fetch(`?token=${classroom.access.watcherToken}`)).status, 200);
  assert.match(browser.header(), new RegExp(`labdeck_token=${classroom.access.watcherToken}`));

  // The dashboard's tab reloaded (no token in its address any more), its channel reconnecting, the viewer typing.
  assert.equal((await browser.fetch('_labdeck/dashboard')).status, 200, 'the dashboard page after the projector link');
  const dashboard = await openDashboardSocket({ cookie: browser.header() });
  assert.equal(dashboard.status, 101, 'the dashboard channel after the projector link');
  dashboard.socket!.close();
  const viewer = openTerminal({ cookie: browser.header() }, deeId);
  assert.equal(await viewer.role, 'instructor', "the viewer types into Dee's terminal as the instructor");
  viewer.socket.close();
  assert.equal((await browser.fetch(`replay/${deeId}`)).status, 200, "Dee's replay opened from the dashboard");

  // Only a valid instructor cookie counts: a forged one beside a watcher's or attendee's cookie opens nothing more.
  for (const holder of [classroom.access.watcherToken, dee]) {
    const cookie = `labdeck_token=${holder}; labdeck_instructor=${classroom.access.instructorToken.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'))}`;
    assert.equal((await fetch(`${server.url}_labdeck/dashboard`, { headers: { cookie } })).status, 403);
    assert.equal((await openDashboardSocket({ cookie })).status, 403);
  }
});

test('every result change is recorded per attendee and reaches the dashboard live', async () => {
  await joinedToken('<b>Cy</b>');
  const { socket } = await openDashboardSocket(classroom.access.instructorToken);
  const first = await nextState(socket!);
  const cy = first.attendees.find((a) => a.name === '<b>Cy</b>');
  assert.ok(cy, 'the name arrives as data, exactly as typed');
  assert.deepEqual(
    first.results.filter((r) => r.attendee === cy.id).map((r) => r.status),
    ['pending'],
  );

  const update = nextMessage(socket!);
  for (const listener of listeners) listener({ type: 'result', result: { ...pending, status: 'passed', reason: 'ran', at: 2 } });
  const after = await update;
  assert.equal(after.type, 'patch', 'changes arrive as a patch, not the whole class');
  if (after.type !== 'patch') return;
  assert.deepEqual(after.patch.attendees, [], 'no row changed: only cells');
  assert.deepEqual(new Set(after.patch.results.map((r) => r.attendee)), new Set(first.attendees.map((a) => a.id)));
  assert.ok(after.patch.results.every((r) => r.status === 'passed' && r.step === 's1'));
  socket!.close();

  // What the server wrote to its SQLite store, read back through a reader's connection of our own (the server holds
  // the data folder's lock, as `labdeck progress` would find it).
  const store = openExistingStore(dataDir);
  assert.ok(store, `no class store in ${dataDir}`);
  try {
    assert.deepEqual(new Set(store.attendees().map((a) => a.id)), new Set(first.attendees.map((a) => a.id)));
    assert.equal(store.attendees().find((a) => a.id === cy.id)?.name, '<b>Cy</b>');
    const latest = store.latestResults();
    for (const attendee of first.attendees) {
      const rows = latest.filter((row) => row.attendee === attendee.id);
      assert.deepEqual(
        rows.map(({ step, status, reason, at }) => ({ step, status, reason, at })),
        [{ step: 's1', status: 'passed', reason: 'ran', at: 2 }],
        attendee.name,
      );
    }
    assert.deepEqual(
      store.history(cy.id).map(({ step, status }) => `${step} ${status}`),
      ['s1 pending', 's1 passed'],
      'each attempt is kept, per attendee',
    );
  } finally {
    store.close();
  }
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

async function until(condition: () => boolean, what = condition.toString()): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`);
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
  assert.deepEqual(
    attendee.messages.find((m) => m.type === 'gather'),
    { type: 'gather', index: 7 },
  );
  assert.equal(
    leader.messages.some((m) => m.type === 'gather'),
    false,
    'the leader is not moved',
  );
  for (const socket of [attendee.socket, leader.socket, dashboard!]) socket.close();
});

/** Opens a WebSocket on `path` as `token`'s holder (cookie): the HTTP status of the upgrade (101 when opened). */
function upgradeStatus(path: string, token?: string): Promise<number> {
  const headers: Record<string, string> = { origin: server.url.slice(0, -1) };
  if (token) headers.cookie = `labdeck_token=${token}`;
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}${path.slice(1)}`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('error', reject);
  });
}

test('every route and channel of a class: nobody without a valid token gets past /join; data refusals are JSON', async () => {
  const attendee = await joinedToken('Eve');
  const anonymousData = await fetch(`${server.url}deck.json`);
  assert.equal(anonymousData.status, 401);
  assert.match(anonymousData.headers.get('content-type') ?? '', /json/);
  assert.match(((await anonymousData.json()) as { error: string }).error, /join/i);
  const staleData = await fetch(`${server.url}_labdeck/terminals.json`, { headers: { cookie: 'labdeck_token=expired' } });
  assert.equal(staleData.status, 401);
  assert.match(((await staleData.json()) as { error: string }).error, /not valid/);
  const stalePage = await fetch(`${server.url}slides/chapter.md`, { headers: { cookie: 'labdeck_token=expired', accept: 'text/html' } });
  assert.equal(stalePage.status, 401);
  assert.match(stalePage.headers.get('content-type') ?? '', /html/);
  assert.match(await stalePage.text(), /not valid for this class/);
  assert.equal((await fetch(`${server.url}_labdeck/build/labdeck.js`)).status, 401, "even labdeck's own files");
  assert.equal((await fetch(`${server.url}join`)).status, 200, 'the join page is open to all');

  assert.equal((await fetch(`${server.url}deck.json`, { headers: { cookie: `labdeck_token=${attendee}` } })).status, 200);
  assert.equal((await fetch(`${server.url}_labdeck/terminals.json`, { headers: { cookie: `labdeck_token=${classroom.access.watcherToken}` } })).status, 200);

  for (const path of [liveReloadPath, followPath, '/_labdeck/terminal']) {
    if (path !== '/_labdeck/terminal') {
      assert.equal(await upgradeStatus(path), 401, `${path} without a token`);
      assert.equal(await upgradeStatus(path, 'expired'), 401, `${path} with a bad token`);
    }
    assert.equal(await upgradeStatus(path, attendee), 101, `${path} for an attendee`);
  }
});

interface TerminalPeer {
  readonly socket: WebSocket;
  /** Resolves with the role the server granted, or rejects with the close reason. */
  readonly role: Promise<string>;
  output(): string;
  type(text: string): void;
}

/** A terminal viewer as `token`'s holder: hello for `attendee`'s (or its own) `shell`, output collected as text. */
function openTerminal(token: string | { readonly cookie: string }, attendee?: string, query = ''): TerminalPeer {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}_labdeck/terminal${query}`, TERMINAL_SUBPROTOCOL, {
    headers: { origin: server.url.slice(0, -1), cookie: typeof token === 'object' ? token.cookie : `labdeck_token=${token}` },
  });
  let text = '';
  const role = new Promise<string>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = decodeServerMessage(new Uint8Array(data as Buffer));
      if (message.type === 'state') resolve(message.state.role);
      if (message.type === 'output' || message.type === 'snapshot') text += Buffer.from(message.data).toString();
    });
    socket.on('close', (code, reason) => reject(new Error(`closed ${code}: ${String(reason)}`)));
  });
  role.catch(() => {});
  socket.once('open', () => {
    socket.send(
      encodeClientMessage({
        type: 'hello',
        hello: { version: TERMINAL_PROTOCOL_VERSION, token: '', terminal: 'shell', ...(attendee ? { attendee } : {}), cols: 80, rows: 24 },
      }),
    );
  });
  return {
    socket,
    role,
    output: () => text,
    type: (input) => socket.send(encodeClientMessage({ type: 'input', data: new TextEncoder().encode(input) })),
  };
}

test('terminals: attendees open only their own; a watcher (or an instructor watching) cannot type; the instructor can', { timeout: 30_000 }, async () => {
  const ann = await joinedToken('Ann');
  const ben = await joinedToken('Ben');
  const annId = classroom.access.identify(ann)!.attendee;
  const own = openTerminal(ann);
  assert.equal(await own.role, 'owner');
  await assert.rejects(openTerminal(ben, annId).role, /1008: not authorized/, "an attendee cannot open another attendee's terminal");

  const watcher = openTerminal(classroom.access.watcherToken, annId);
  assert.equal(await watcher.role, 'watcher');
  const watching = openTerminal(classroom.access.instructorToken, annId, '?watch=1');
  assert.equal(await watching.role, 'watcher', 'the dashboard watches read-only until the instructor chooses to type');
  watcher.type('echo typed-by-$((6*7))-watcher\r');
  watching.type('echo typed-by-$((6*7))-dashboard\r');
  const helper = openTerminal(classroom.access.instructorToken, annId);
  assert.equal(await helper.role, 'instructor');
  helper.type('echo typed-by-$((6*7))-instructor\r');
  await until(() => own.output().includes('typed-by-42-instructor'));
  await until(() => watching.output().includes('typed-by-42-instructor'));
  assert.doesNotMatch(own.output(), /typed-by-42-(watcher|dashboard)/, 'read-only viewers typed nothing');
  for (const peer of [own, watcher, watching, helper]) peer.socket.close();
});

test('the terminal channel: without a valid token the upgrade opens, the hello is refused (1008) and no PTY is spawned', { timeout: 30_000 }, async () => {
  const removed = await joinedToken('Gone soon');
  assert.equal(classroom.removeAttendee(classroom.access.identify(removed)!.attendee), true);
  const sessionsBefore = terminalManager.list();
  const ptysBefore = openPtyDescriptors();
  for (const [who, cookie] of [
    ['anonymous', undefined],
    ['removed', removed],
    ['forged', 'f0rged-token-of-nobody'],
  ] as const) {
    const headers: Record<string, string> = { origin: server.url.slice(0, -1) };
    if (cookie) headers.cookie = `labdeck_token=${cookie}`;
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}_labdeck/terminal`, TERMINAL_SUBPROTOCOL, { headers });
    let messages = 0;
    socket.on('message', () => messages++);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => reject(new Error(`${who}: upgrade answered ${response.statusCode}`)));
      socket.once('error', reject);
    });
    socket.send(encodeClientMessage({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: '', terminal: 'shell', cols: 80, rows: 24 } }));
    const close = await Promise.race([closed, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`${who}: no close within 5 s`)), 5000))]);
    assert.deepEqual(close, { code: 1008, reason: 'not authorized for this terminal' }, who);
    assert.equal(messages, 0, `${who}: nothing of a terminal was sent`);
  }
  const forgedHello = openTerminal(classroom.access.instructorToken.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')));
  await assert.rejects(forgedHello.role, /1008: not authorized/, "a forged token in the cookie (one character off the instructor's)");
  // Earlier tests' sessions may end meanwhile, never begin.
  assert.ok(
    terminalManager.list().every((session) => sessionsBefore.includes(session)),
    'no terminal session was created',
  );
  assert.ok(openPtyDescriptors() <= ptysBefore, `no PTY was opened (${ptysBefore} before, ${openPtyDescriptors()} after)`);
});

test('the dashboard live: where each attendee is, connection, last command; pause, resume and broadcast reach the pages', { timeout: 30_000 }, async () => {
  const fay = await joinedToken('<img src=x onerror=alert(1)>');
  const fayId = classroom.access.identify(fay)!.attendee;
  const dashboard = await watchDashboard();
  assert.equal(dashboard.attendee(fayId)?.connected, false);
  assert.equal(dashboard.attendee(fayId)?.name, '<img src=x onerror=alert(1)>');

  const page = await openFollowSocket(fay, 'fay-browser');
  page.socket.send(JSON.stringify({ type: 'at', index: 1, following: false }));
  await until(() => dashboard.attendee(fayId)?.slide?.label === '2 · Run it');
  assert.equal(dashboard.attendee(fayId)?.connected, true);
  assert.equal(dashboard.attendee(fayId)?.slide?.following, false);

  classroom.commandRan({ command: 'docker ps', exitCode: 1, startedAt: 10, endedAt: 20, cwd: undefined, terminal: `${fayId}/shell` });
  await until(() => dashboard.attendee(fayId)?.lastCommand?.command === 'docker ps');
  assert.deepEqual(dashboard.attendee(fayId)?.lastCommand, { command: 'docker ps', exitCode: 1, at: 20 });

  const leader = await openFollowSocket(classroom.access.instructorToken, 'teacher-browser');
  leader.socket.send(JSON.stringify({ type: 'take-lead' }));
  leader.socket.send(JSON.stringify({ type: 'goto', index: 2 }));
  await until(() => page.messages.some((m) => m.type === 'position' && m.index === 2));
  await until(() => dashboard.state().follow.leader?.label === '3 · Scale');

  dashboard.socket.send(JSON.stringify({ type: 'pause', paused: true }));
  await until(() => page.messages.some((m) => m.type === 'paused' && m.paused));
  leader.socket.send(JSON.stringify({ type: 'goto', index: 0 }));
  await until(() => dashboard.state().follow.leader?.index === 0 && dashboard.state().follow.paused);
  assert.ok(!page.messages.some((m) => m.type === 'position' && m.index === 0), 'while paused, moves are not broadcast');
  dashboard.socket.send(JSON.stringify({ type: 'pause', paused: false }));
  await until(() => page.messages.some((m) => m.type === 'position' && m.index === 0));

  dashboard.socket.send(JSON.stringify({ type: 'broadcast', text: '  <b>Break</b> until 11:00  ' }));
  await until(() => page.messages.some((m) => m.type === 'message'));
  const shown = page.messages.find((m) => m.type === 'message');
  assert.equal(shown?.type === 'message' ? shown.message?.text : undefined, '<b>Break</b> until 11:00', 'sent as text, trimmed');
  await until(() => dashboard.state().follow.message?.text === '<b>Break</b> until 11:00');
  // An attendee's page cannot act as the dashboard on the follow channel.
  page.socket.send(JSON.stringify({ type: 'goto', index: 1 }));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(!leader.messages.some((m) => m.type === 'position' && m.index === 1));

  page.socket.close();
  await until(() => dashboard.attendee(fayId)?.connected === false);
  for (const socket of [leader.socket, dashboard.socket]) socket.close();
});

test('removing an attendee from the dashboard: their sockets close, their token gets 401, their row and results go', async () => {
  const token = await joinedToken('Stray second join');
  const id = classroom.access.identify(token)!.attendee;
  const kept = await joinedToken('Kept');
  const page = await openFollowSocket(token, 'stray-browser');
  const other = await openFollowSocket(kept, 'kept-browser');
  const closed = new Promise<number>((resolve) => page.socket.once('close', (code) => resolve(code)));
  const dashboard = await watchDashboard();
  await until(() => dashboard.attendee(id) !== undefined);

  dashboard.socket.send(JSON.stringify({ type: 'remove', attendee: 'a-nobody' }));
  dashboard.socket.send(JSON.stringify({ type: 'remove', attendee: id }));
  await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the removed attendee's socket stayed open")), 5000))]);
  await until(() => !dashboard.state().attendees.some((attendee) => attendee.id === id));
  assert.ok(!dashboard.state().results.some((result) => result.attendee === id), 'their result cells go too');
  assert.equal((await fetch(`${server.url}deck.json`, { headers: { cookie: `labdeck_token=${token}` } })).status, 401);
  assert.equal(await upgradeStatus(followPath, token), 401, 'no way back in on a channel either');
  assert.equal(other.socket.readyState, WebSocket.OPEN, 'the others keep their connections');
  assert.equal((await fetch(`${server.url}deck.json`, { headers: { cookie: `labdeck_token=${kept}` } })).status, 200);
  assert.ok(!classroom.dashboard().attendees.some((attendee) => attendee.id === id), 'the store forgot them');
  assert.equal(classroom.removeAttendee(id), false, 'removing twice does nothing');
  for (const socket of [other.socket, dashboard.socket]) socket.close();
});

test('the join form: names are cleaned, counted in characters people see, and every refusal is the page with a clear problem', { timeout: 30_000 }, async () => {
  const named = async (name: string): Promise<string | undefined> => {
    const token = await joinedToken(name);
    const id = classroom.access.identify(token)?.attendee;
    return classroom.dashboard().attendees.find((attendee) => attendee.id === id)?.name;
  };
  assert.equal(await named('\x1b[31mGil\x1b[0m \u202Egnp.exe\u200B'), 'Gil gnp.exe', 'controls, bidi and zero-width characters are gone');
  const family = '👨‍👩‍👧';
  assert.equal(await named(family.repeat(60)), family.repeat(60), 'sixty characters people see are fine, though 480 UTF-16 units');

  const invisible = await joinClass('\u200B\u3164\x1b[0m');
  assert.equal(invisible.status, 400, 'nothing visible is no name');
  assert.match(await invisible.text(), /Your name: at least one visible character/);

  const tooMany = await joinClass(family.repeat(61));
  assert.equal(tooMany.status, 400);
  const refilled = /name="name"[^>]*value="([^"]*)"/.exec(await tooMany.text())?.[1];
  assert.equal(refilled, family.repeat(60), 'the form comes back with the first sixty, none of them split');

  const huge = await joinClass('x'.repeat(10_000));
  assert.equal(huge.status, 413);
  assert.match(huge.headers.get('content-type') ?? '', /html/);
  const hugePage = await huge.text();
  assert.match(hugePage, /<form method="post" action="\/join">/, 'the join page, to try again');
  assert.match(hugePage, /Your name: at most 60 characters/);

  const json = await fetch(`${server.url}join`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: classroom.classCode, name: 'Jo' }),
  });
  assert.equal(json.status, 415, 'not "that is not the code of this class"');
  assert.match(await json.text(), /Send the join form/);
});
