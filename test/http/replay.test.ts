// Replays over real HTTP (startServer on port 0, a real classroom store, real tokens): who may fetch an attendee's
// timeline and open their replay page — the instructor anyone's, an attendee their own, a projector and strangers
// none — on a class server and on a self-paced one (the learner `local`). The timelines come from a session
// recorded from a real bash PTY (test/support/recorded-session.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { openClassroom, type Classroom } from '../../src/classroom/classroom.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { replayPagePath, timelinePath, type DeckJson, type SlideJson, type Timeline } from '../../src/protocol.ts';
import { castTimelines, recordSession, saveSession } from '../support/recorded-session.ts';

const slides = [{ html: '<h1>Welcome</h1>' }, { html: '<h2>Run it</h2>' }].map((slide) => ({
  ...slide,
  notes: '',
  source: { file: 'a.md', line: 1 },
  classes: [],
  numberText: '',
})) as unknown as SlideJson[];
const deck: DeckJson = { version: 1, title: 'Class', ratio: '16:9', error: null, slides, steps: [] };
const deckSource = { current: () => deck, onChange: () => ({ dispose() {} }) };
const noChecks = { state: () => ({ engine: { reachable: true, error: null, swarm: 'active' as const }, results: [] }), onUpdate: () => ({ dispose() {} }) };

let dataDir: string;
let castDir: string;
let classroom: Classroom;
let classServer: RunningServer;
let bareServer: RunningServer;
let selfPaced: RunningServer;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'labdeck-replay-http-'));
  castDir = join(dataDir, 'casts');
  await import('node:fs/promises').then((fs) => fs.mkdir(castDir));
  classroom = openClassroom({ dataDir, deck: deckSource, checksOf: () => noChecks, openToLocalAttendee: false });
  const join1 = (name: string) => {
    const token = classroom.join(name);
    return { token, id: classroom.access.identify(token)!.attendee };
  };
  alice = join1('Alice');
  bob = join1('Bob');
  // A real session, recorded for alice and for the self-paced learner.
  const session = recordSession(alice.id);
  session.type('echo recorded-$((6*7))\r');
  await session.viewer.waitForScreen(/recorded-42/, 10_000);
  await saveSession(castDir, alice.id, session);
  await saveSession(castDir, 'local', session);
  session.dispose();

  const common = { deck: deckSource, workshopDir: dataDir, assetsDir: dataDir, log: () => {} };
  classServer = await startServer({ ...common, access: classroom.access, classroom, timelines: castTimelines(castDir) }, { port: 0, host: '127.0.0.1' });
  bareServer = await startServer({ ...common, access: classroom.access, classroom }, { port: 0, host: '127.0.0.1' });
  selfPaced = await startServer(
    { ...common, access: createAccess({ openToLocalAttendee: true, instructorToken: 'teach' }), timelines: castTimelines(castDir) },
    { port: 0, host: '127.0.0.1' },
  );
});

after(async () => {
  await classServer?.close();
  await bareServer?.close();
  await selfPaced?.close();
  classroom?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

function get(server: RunningServer, path: string, token?: string, accept = 'application/json'): Promise<Response> {
  return fetch(`${server.url}${path.slice(1)}`, { redirect: 'manual', headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

test('the instructor fetches any attendee’s timeline and opens their replay page', { timeout: 10_000 }, async () => {
  const response = await get(classServer, `${timelinePath}/${alice.id}`, classroom.access.instructorToken);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const timeline = (await response.json()) as Timeline;
  assert.equal(timeline.attendee, alice.id);
  assert.ok(timeline.events.some((event) => event.kind === 'output' && event.data.includes('recorded-42')));
  assert.ok(timeline.events.some((event) => event.kind === 'command' && event.command.includes('echo recorded') && event.exitCode === 0));

  const page = await get(classServer, `${replayPagePath}/${alice.id}`, classroom.access.instructorToken, 'text/html');
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<script src="_labdeck\/build\/replay\.js"><\/script>/);
  assert.match(html, /<base href="\.\.\/">/);
  assert.ok(html.includes(`"attendee":"${alice.id}"`));
});

test('an attendee opens their own replay, and only theirs (403 for another’s, on both routes)', { timeout: 10_000 }, async () => {
  assert.equal((await get(classServer, `${timelinePath}/${alice.id}`, alice.token)).status, 200);
  assert.equal((await get(classServer, `${replayPagePath}/${alice.id}`, alice.token, 'text/html')).status, 200);
  const timeline = await get(classServer, `${timelinePath}/${alice.id}`, bob.token);
  assert.equal(timeline.status, 403);
  assert.match(((await timeline.json()) as { error: string }).error, /only your own/);
  const page = await get(classServer, `${replayPagePath}/${alice.id}`, bob.token, 'text/html');
  assert.equal(page.status, 403);
  assert.doesNotMatch(await page.text(), /recorded-42|labdeck-replay-data/);
  // The cookie the join set counts as the token does.
  const byCookie = await fetch(`${classServer.url}${timelinePath.slice(1)}/${alice.id}`, { headers: { cookie: `labdeck_token=${bob.token}` } });
  assert.equal(byCookie.status, 403);
  // "Replay my session": /replay takes an attendee to their own.
  const mine = await get(classServer, replayPagePath, bob.token, 'text/html');
  assert.equal(mine.status, 303);
  assert.equal(mine.headers.get('location'), `${replayPagePath}/${bob.id}`);
});

test('no token, a wrong one, a removed attendee’s: 401; the projector: 403', { timeout: 10_000 }, async () => {
  for (const path of [`${timelinePath}/${alice.id}`, `${replayPagePath}/${alice.id}`]) {
    assert.equal((await get(classServer, path)).status, 401, `${path} without a token`);
    assert.equal((await get(classServer, path, 'not-a-token')).status, 401, `${path} with a wrong token`);
    assert.equal((await get(classServer, path, classroom.access.watcherToken)).status, 403, `${path} as the projector`);
  }
  const carol = classroom.join('Carol');
  const carolId = classroom.access.identify(carol)!.attendee;
  assert.equal((await get(classServer, `${timelinePath}/${carolId}`, carol)).status, 404, 'nothing recorded for carol yet');
  classroom.removeAttendee(carolId);
  assert.equal((await get(classServer, `${timelinePath}/${carolId}`, carol)).status, 401);
  assert.equal((await get(classServer, `${replayPagePath}/${carolId}`, carol, 'text/html')).status, 401);
});

test('a server without recordings says so (404), after the same access checks', { timeout: 10_000 }, async () => {
  const response = await get(bareServer, `${timelinePath}/${alice.id}`, classroom.access.instructorToken);
  assert.equal(response.status, 404);
  assert.match(((await response.json()) as { error: string }).error, /keeps no recordings/);
  assert.equal((await get(bareServer, `${timelinePath}/${alice.id}`, bob.token)).status, 403);
});

test('the dashboard links to replays only on a server that keeps recordings', { timeout: 10_000 }, async () => {
  const board = async (server: RunningServer): Promise<string> => {
    const page = await get(server, '/_labdeck/dashboard', classroom.access.instructorToken, 'text/html');
    assert.equal(page.status, 200);
    return /<div id="board"[^>]*>/.exec(await page.text())?.[0] ?? 'no board';
  };
  assert.equal(await board(classServer), '<div id="board" data-replays>');
  assert.equal(await board(bareServer), '<div id="board">');
});

test('the self-paced learner (loopback, no token) replays their own session as `local`, nobody else’s', { timeout: 10_000 }, async () => {
  const response = await get(selfPaced, `${timelinePath}/local`);
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as Timeline).attendee, 'local');
  assert.equal((await get(selfPaced, `${replayPagePath}/local`, undefined, 'text/html')).status, 200);
  assert.equal((await get(selfPaced, `${timelinePath}/${alice.id}`)).status, 403);
  const mine = await get(selfPaced, replayPagePath, undefined, 'text/html');
  assert.equal(mine.status, 303);
  assert.equal(mine.headers.get('location'), `${replayPagePath}/local`);
  assert.equal((await get(selfPaced, `${timelinePath}/${alice.id}`, 'teach')).status, 200, 'the instructor link may');
});
