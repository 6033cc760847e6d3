// test-runner: alone (it boots several sandboxes, each with an engine inside, and times how fast a seat is entered)
// Warm seats on the real engine: `labdeck env warm 2` fills the pool and says so; two attendees joining at once, one
// through the running class (startClassroom, as `labdeck serve`), one through another process's provider, get two
// different seats (the swarm's compare-and-swap decides), entered in seconds, without restarting them, never used by
// anyone before; the class refills the pool in the background and its dashboard shows it; a restarted server finds
// each claim where it was; `labdeck env down` removes the attendees' sandboxes and the pool, leaving nothing.
// And seats made at the same moment by two processes each get an ssh port of their own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';
import { listSeats } from '../../src/engine/warm-seats.ts';
import { createSandbox, removeSandbox } from '../../src/engine/sandboxes.ts';
import { loadWorkshop } from '../../src/config/workshop.ts';
import { startClassroom } from '../../src/classroom/start-classroom.ts';
import type { AttendeeChecks } from '../../src/classroom/classroom.ts';
import { isReady } from '../../src/environments/launcher.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { SwarmEnvironmentConfig } from '../../src/config/environment.ts';
import type { AttendeeRef, EnvironmentProvider } from '../../src/environments/provider.ts';
import { openProgressStore } from '../../src/progress/store.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { removeClassLeftovers, runInTerminal } from '../support/class-sandboxes.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const classId = `W${Date.now().toString(36).toUpperCase()}`;
const folder = mkdtempSync(join(tmpdir(), 'labdeck-warm-'));
const dataDir = join(folder, 'class');
const root = join(dataDir, 'environments');
const carol: AttendeeRef = { id: 'a-carol2', name: 'Carol' };
const classFilter = { filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } };

writeFileSync(
  join(folder, 'workshop.yml'),
  [
    'title: T',
    'chapters: [a.md]',
    'classroom:',
    '  data: class',
    '  environment: { provider: swarm, memory: 768m, images: [labdeck/busybox], warm: 2 }',
    'terminals:',
    '  shell: local',
    '',
  ].join('\n'),
);
writeFileSync(join(folder, 'a.md'), '# A\n');
const store = openProgressStore(dataDir);
store.classRecord(() => ({ code: classId, instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
store.addAttendee({ id: carol.id, name: carol.name, token: 't2', joinedAt: 2 });
store.close();

const classroomConfig = loadWorkshop(join(folder, 'workshop.yml')).classroom;
const config = classroomConfig.environment as SwarmEnvironmentConfig;
const noChecks: AttendeeChecks = {
  state: () => ({ engine: { reachable: true, error: null, swarm: 'active' }, results: [] }),
  onUpdate: () => ({ dispose: () => {} }),
};
/** A provider as one labdeck process has it (a server, or `labdeck env`): its own memory, the same class. */
function processProvider(lines: string[]): EnvironmentProvider {
  return createSwarmProvider({ docker, classId, root, config, log: (line) => lines.push(line) });
}

before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    await ensureSandboxImage(docker, {});
  },
  { timeout: 900_000 },
);

after(async () => {
  await removeClassLeftovers(docker, classId);
  rmSync(folder, { recursive: true, force: true });
});

async function taskIds(service: string): Promise<string[]> {
  return ((await docker.listTasks({ filters: { service: [service] } })) as { ID: string }[]).map((task) => task.ID).sort();
}

test('warm seats: filled by env warm, claimed on join (two at once, two seats), refilled, kept across a restart, removed by env down', { timeout: 600_000 }, async () => {
  // `labdeck env warm 2`, its output not a terminal: plain progress lines, then how many are ready.
  const warm = await runLabdeck(['env', 'warm', '2'], { cwd: folder, stderrIsTerminal: false });
  assert.equal(warm.code, 0, `${warm.stdout}\n${warm.stderr}`);
  assert.match(warm.stdout, /^2 warm seats ready \(0 claimed by attendees\), class W/m);
  assert.match(warm.stderr, /^warm seats: 0\/2 ready, 2 warming$/m);
  assert.match(warm.stderr, /^warm seats: 2\/2 ready, 0 warming$/m);
  assert.doesNotMatch(warm.stderr, /\r|\x1b/);
  const seats = await listSeats(docker, classId);
  assert.deepEqual(
    seats.map((seat) => seat.state),
    ['ready', 'ready'],
  );
  const tasksBefore = new Map(await Promise.all(seats.map(async (seat) => [seat.service, await taskIds(seat.service)] as const)));
  // Seats are nobody's: `env status` lists no attendee's sandbox.
  const idle = await runLabdeck(['env', 'status'], { cwd: folder });
  assert.doesNotMatch(idle.stdout, /seat-/);
  assert.match(idle.stdout, /^Carol\s+a-carol2\s+absent/m);
  assert.match(idle.stdout, /^warm seats: 2 ready, 0 warming, 0 claimed by attendees$/m);

  // The class runs (as `labdeck serve --classroom`; Carol is not connected); Bob joins it while Carol's sandbox is made
  // by another process (`labdeck env up carol`), at the same moment: each gets a seat of their own.
  const linesA: string[] = [];
  const linesB: string[] = [];
  const { classroom, environments: processA } = startClassroom({
    dataDir,
    config: classroomConfig,
    deck: { current: () => ({ version: 1, title: 'Class', ratio: '16:9', error: null, slides: [], steps: [] }), onChange: () => ({ dispose() {} }) },
    checks: { forAttendee: () => noChecks, forget: () => {} },
    docker,
    log: (line) => linesA.push(line),
  });
  const processB = processProvider(linesB);
  const started = performance.now();
  classroom.join('Bob');
  const bob = classroom.dashboard().attendees.find((attendee) => attendee.name === 'Bob')!;
  await processB.up(carol);
  const entered = Date.now() + 60_000;
  while (!isReady(root, bob.id)) {
    assert.ok(Date.now() < entered, `Bob's environment never got ready:\n${linesA.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const claimed = await listSeats(docker, classId);
  const bobSeat = claimed.find((seat) => seat.attendee === bob.id);
  const carolSeat = claimed.find((seat) => seat.attendee === carol.id);
  assert.ok(bobSeat && carolSeat, `both claimed a seat: ${JSON.stringify(claimed)}\n${linesA.join('\n')}\n${linesB.join('\n')}`);
  assert.notEqual(bobSeat.service, carolSeat.service);
  assert.ok(seconds < 15, `entering two warm seats took ${seconds.toFixed(1)} s`);
  process.stdout.write(`# two attendees entered their warm seats in ${seconds.toFixed(1)} s\n`);
  // The claim changed the record, not the sandbox: the same task runs, its engine never restarted.
  for (const seat of [bobSeat, carolSeat]) assert.deepEqual(await taskIds(seat.service), tasksBefore.get(seat.service));
  assert.match(linesA.join('\n'), /a warm seat is yours/);

  // Bob's terminal is a shell in his seat, whose engine nobody used: no container, only the class's images.
  const [shell] = Object.values(processA.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } }]));
  const output = await runInTerminal(
    substituteCommand(shell!, { attendee: bob.id, terminal: 'shell' }),
    "echo containers=$(docker ps -aq | wc -l); docker images --format 'image={{.Repository}}'; ls /root/.bash_history 2>/dev/null | wc -l | sed 's/^/history=/'; exit\r",
  );
  assert.match(output, /containers=0/);
  assert.deepEqual(output.match(/^image=\S+/gm), ['image=labdeck/busybox']);
  assert.match(output, /history=0/);
  const carolEngine = connectEngineAt(processB.engineOf(carol.id)!);
  assert.deepEqual(await carolEngine.listContainers({ all: true }), []);
  // The claimed seats' folders are gone: their keys are the attendees' now (the seats warming meanwhile have theirs).
  const folders = readdirSync(root);
  assert.ok(!folders.includes(bobSeat.seat) && !folders.includes(carolSeat.seat), folders.join(' '));
  assert.ok(existsSync(join(root, bob.id, 'ssh', 'host_ed25519_key')));

  // The class keeps the pool filled (two ready seats again, beside the two claimed), and its dashboard says so.
  const deadline = Date.now() + 240_000;
  const full = JSON.stringify({ ready: 2, warming: 0, claimed: 2, target: 2 });
  while (JSON.stringify(classroom.dashboard().seats) !== full) {
    assert.ok(Date.now() < deadline, `the pool did not refill: ${JSON.stringify(classroom.dashboard().seats)}\n${linesA.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal((await listSeats(docker, classId)).filter((seat) => seat.state === 'ready').length, 2);
  classroom.dispose();

  // A restarted server (a new provider, nothing in memory) finds Bob's claim: his seat, not another one.
  const restartLines: string[] = [];
  const restarted = processProvider(restartLines);
  await restarted.up(bob);
  assert.match(restartLines.join('\n'), /sandbox found/);
  assert.doesNotMatch(restartLines.join('\n'), /warm seat is yours/);
  assert.equal((await listSeats(docker, classId)).filter((seat) => seat.attendee === bob.id).length, 1);
  assert.deepEqual(await taskIds(bobSeat.service), tasksBefore.get(bobSeat.service));
  const status = await runLabdeck(['env', 'status'], { cwd: folder });
  assert.match(status.stdout, new RegExp(`^Bob\\s+${bob.id}\\s+ready\\s+${bobSeat.service} at ssh://`, 'm'));
  assert.match(status.stdout, new RegExp(`^Carol\\s+a-carol2\\s+ready\\s+${carolSeat.service} `, 'm'));

  // The end of the class: the attendees' sandboxes and the unclaimed seats go, with everything they were made of.
  const down = await runLabdeck(['env', 'down'], { cwd: folder });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, new RegExp(`^Bob \\(${bob.id}\\): removed$`, 'm'));
  assert.match(down.stdout, /^2 unclaimed warm seats: removed$/m);
  assert.deepEqual(await docker.listServices(classFilter), []);
  assert.deepEqual(await docker.listSecrets(classFilter), []);
  assert.deepEqual(await docker.listContainers({ all: true, ...classFilter }), []);
  assert.deepEqual((await docker.listVolumes(classFilter)).Volumes ?? [], []);
  assert.equal(existsSync(join(root, bob.id)), false);
});

test('two processes filling the pool at once (env warm beside a serving class) give every seat a port of its own', { timeout: 300_000 }, async () => {
  const other = `${classId}P`;
  // Each class its own data folder (and class key), as two classes have.
  const filler = (id: string) => createSwarmProvider({ docker, classId: id, root: join(folder, id), config, log: () => {}, startTimeoutMs: 60_000 });
  // Two classes' processes: ports are given swarm-wide, each process picking the lowest one no sandbox publishes.
  const [first, second] = [filler(other), filler(`${other}Q`)];
  try {
    const outcomes = await Promise.all([first.seats!.fill(2), second.seats!.fill(2)]);
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.ready, outcome.failures]),
      [
        [2, []],
        [2, []],
      ],
    );
    const services = [
      ...(await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${other}`] } })),
      ...(await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${other}Q`] } })),
    ];
    const ports = services.map((service) => service.Spec?.EndpointSpec?.Ports?.[0]?.PublishedPort);
    assert.equal(new Set(ports).size, 4, `ports ${ports.join(', ')}`);
  } finally {
    await Promise.all([first.seats!.removeUnclaimed(), second.seats!.removeUnclaimed()]).catch(() => {});
    for (const id of [other, `${other}Q`]) await removeClassLeftovers(docker, id);
  }
});

test('two sandboxes created at the same moment (two processes) get two ssh ports', { timeout: 60_000 }, async () => {
  const id = `${classId}R`;
  const request = (attendee: string) => ({
    classId: id,
    attendee,
    attendeeName: attendee,
    image: 'labdeck/sandbox:latest',
    memoryBytes: 256 * 1024 ** 2,
    nanoCpus: 1e8,
    authorizedKeys: 'ssh-ed25519 AAAA test',
    hostKey: 'not a key: these sandboxes are never started',
    firstPort: 2200,
  });
  try {
    const made = await Promise.all(['a-r1', 'a-r2', 'a-r3'].map((attendee) => createSandbox(docker, request(attendee))));
    const published = (await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${id}`] } })).map(
      (service) => service.Spec?.EndpointSpec?.Ports?.[0]?.PublishedPort,
    );
    assert.equal(new Set(made.map((sandbox) => sandbox.port)).size, 3, `ports ${made.map((sandbox) => sandbox.port).join(', ')}`);
    assert.equal(new Set(published).size, 3, `published ${published.join(', ')}`);
  } finally {
    await Promise.all(['a-r1', 'a-r2', 'a-r3'].map((attendee) => removeSandbox(docker, id, attendee).catch(() => {})));
  }
});
