// test-runner: first (long; its own engines, swarm and events, which no other file's services move; no latency measured)
// A class across a real multi-node swarm (test/support/multi-node-swarm.ts: three extra engines on this machine, in
// network namespaces, node 1 the manager labdeck uses). Heavy: run it under `flock /tmp/labdeck-heavy.lock`.
// - no registry: labdeck gives the other nodes the sandbox image itself (through their `labdeck.engine` labels), and
//   sandboxes spread over the three nodes;
// - admission: each sandbox reserves its memory, so a fourth one (sized so that a node holds one) finds no room, and
//   says "class full" to the attendee and in `labdeck env nodes`, instead of waiting without a word;
// - a node added mid-class gets the image and takes the waiting sandbox;
// - a node that fails: the swarm recreates its sandbox elsewhere, labdeck follows it by itself (no `env up`), the
//   attendee's terminal reconnects and says the state was lost, and the checks watch the new sandbox;
// - warm seats across the nodes: placed where memory is free (not the manager, full), each with the images; an attendee
//   claims one on another node and its engine answers in their terminal; when that node fails, its ready seat is
//   handed to nobody (the pool replaces it on a living node) and the attendee's claimed seat is recovered;
// - the test swarm itself leaves nothing behind, even killed (SIGKILL) with the class's last sandboxes running on its
//   engines (their containers and shims holding mounts), as a killed run leaves it: its removal clears it all. (Its
//   own file booted a 3-node swarm for that alone; the swarm this file made is a harder case, and costs no boot.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { createCheckRunner } from '../../src/checks/runner.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { watchEngine } from '../../src/engine/snapshot.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage, SANDBOX_IMAGE } from '../../src/engine/sandbox-image.ts';
import { listSandboxes, sandboxTasks } from '../../src/engine/sandboxes.ts';
import { imageLabel, labelNode, listClassNodes, NODE_ENGINE_LABEL } from '../../src/engine/swarm-nodes.ts';
import { CLASS_FULL } from '../../src/environments/class-nodes.ts';
import type { AttendeeRef, EnvironmentProvider } from '../../src/environments/provider.ts';
import { createSwarmProvider, sandboxEngineAddress } from '../../src/environments/swarm-provider.ts';
import { claimSeat, listSeats } from '../../src/engine/warm-seats.ts';
import { openProgressStore } from '../../src/progress/store.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { createMultiNodeSwarm, killNodeEngine, multiNodeSwarmTraces, type MultiNodeSwarm, type SwarmNode } from '../support/multi-node-swarm.ts';
import { waitFor } from '../support/wait.ts';

const machine = connectEngine({ host: process.env.DOCKER_HOST });
const classId = 'MN4T7Q';
const folder = mkdtempSync(join(tmpdir(), 'labdeck-multinode-'));
const dataDir = join(folder, 'class');
const attendees: AttendeeRef[] = ['ada', 'bo', 'cy', 'di'].map((name, i) => ({ id: `a-${name}${i}`, name: name.toUpperCase() }));
const lines: string[] = [];
const recreated: string[] = [];
const notes: [string, string | null][] = [];
let swarm: MultiNodeSwarm;
let sandboxImageId: string;
let memoryBytes: number;
/** What each node reports (they are all this machine). */
let nodeMemory: number;
let provider: ReturnType<typeof createSwarmProvider>;

/** The class folder `labdeck env` reads: workshop.yml with a swarm class, and a store holding the class and its attendees. */
function writeClassFolder(memory: number): void {
  writeFileSync(
    join(folder, 'workshop.yml'),
    ['title: T', 'chapters: [a.md]', 'classroom:', '  data: class', `  environment: { provider: swarm, memory: ${memory}b, images: [labdeck/busybox] }`, ''].join('\n'),
  );
  writeFileSync(join(folder, 'a.md'), '# A\n');
  const store = openProgressStore(dataDir);
  store.classRecord(() => ({ code: classId, instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
  for (const [i, attendee] of attendees.entries()) store.addAttendee({ id: attendee.id, name: attendee.name, token: `t${i}`, joinedAt: i });
  store.close();
}

/** What an instructor does when a machine joins the class: tell labdeck where its engine is. */
async function labelEngine(node: SwarmNode): Promise<void> {
  const id = (await listClassNodes(swarm.manager.docker)).find((n) => n.hostname === node.hostname)?.id;
  assert.ok(id, `${node.hostname} is in the swarm`);
  await labelNode(swarm.manager.docker, id, { [NODE_ENGINE_LABEL]: node.host });
}

async function sandboxNodes(): Promise<Map<string, string>> {
  const [sandboxes, nodes] = await Promise.all([listSandboxes(swarm.manager.docker, classId), listClassNodes(swarm.manager.docker)]);
  const hostname = new Map(nodes.map((n) => [n.id, n.hostname]));
  return new Map(sandboxes.filter((s) => s.state === 'running').map((s) => [s.attendee, hostname.get(s.node ?? '') ?? '?']));
}

/** Where every running sandbox of the class runs, unclaimed warm seats included (by seat id). */
async function taskNodes(): Promise<Map<string, string>> {
  const [tasks, nodes] = await Promise.all([sandboxTasks(swarm.manager.docker, classId), listClassNodes(swarm.manager.docker)]);
  const hostname = new Map(nodes.map((n) => [n.id, n.hostname]));
  return new Map(tasks.filter((t) => t.state === 'running').map((t) => [t.attendee, hostname.get(t.node ?? '') ?? '?']));
}

/** A terminal of the attendee (the launcher, then ssh into their sandbox), and a wait for what it prints. */
function openTerminal(
  which: EnvironmentProvider,
  attendee: AttendeeRef,
): { terminal: pty.IPty; seen: (pattern: RegExp, timeoutMs: number, what: string) => Promise<true>; since: () => number } {
  const [shell] = Object.values(which.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } }]));
  assert.ok(shell);
  const argv = substituteCommand(shell, { attendee: attendee.id, terminal: 'shell' });
  const terminal = pty.spawn(argv[0] ?? 'sh', argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
  let output = '';
  let from = 0;
  terminal.onData((data) => {
    output += data;
  });
  const seen = (pattern: RegExp, timeoutMs: number, what: string): Promise<true> =>
    waitFor(() => pattern.test(output.slice(from)), { timeoutMs, intervalMs: 100, describe: () => `${what}; the terminal printed:\n${output.slice(-1500)}` });
  return { terminal, seen, since: () => (from = output.length) };
}

before(
  async () => {
    await ensureBusyboxImage(machine, { name: 'labdeck/busybox:latest' });
    sandboxImageId = (await ensureSandboxImage(machine, { log: () => {} })).id;
    const booting = Date.now();
    swarm = await createMultiNodeSwarm({ nodes: 3, images: [SANDBOX_IMAGE, 'labdeck/busybox:latest'], source: machine });
    process.stdout.write(`# the test swarm (3 nodes, node1 holding the images) ready in ${((Date.now() - booting) / 1000).toFixed(1)} s\n`);
    for (const node of swarm.nodes.slice(1)) await labelEngine(node);
    // Sized so that a node holds one sandbox: the nodes are this machine, each reporting all of its memory.
    nodeMemory = (await listClassNodes(swarm.manager.docker))[0]?.memoryBytes ?? 0;
    memoryBytes = Math.floor(nodeMemory * 0.6);
    writeClassFolder(memoryBytes);
    provider = createSwarmProvider({
      docker: swarm.manager.docker,
      classId,
      root: join(dataDir, 'environments'),
      log: (line) => lines.push(line),
      config: { provider: 'swarm', memoryBytes, nanoCpus: 1e9, images: ['labdeck/busybox:latest'], location: { file: 'workshop.yml', line: 1 } },
      concurrency: 3,
      followIntervalMs: 1000,
      onNote: (attendee, note) => {
        if (note?.text.startsWith('sandbox recreated')) recreated.push(attendee);
        notes.push([attendee, note?.text ?? null]);
      },
    });
  },
  { timeout: 240_000 },
);

after(async () => {
  await swarm?.remove();
  rmSync(folder, { recursive: true, force: true });
});

const [ada, bo, cy, di] = attendees as [AttendeeRef, AttendeeRef, AttendeeRef, AttendeeRef];

test('labdeck gives the nodes the sandbox image (no registry), and sandboxes spread over the three nodes', { timeout: 180_000 }, async () => {
  await Promise.all([provider.up(ada), provider.up(bo), provider.up(cy)]);
  const placed = await sandboxNodes();
  assert.deepEqual([...new Set(placed.values())].sort(), ['node1', 'node2', 'node3'], `one sandbox per node: ${JSON.stringify([...placed])}`);
  for (const node of swarm.nodes) {
    assert.equal((await node.docker.getImage(SANDBOX_IMAGE).inspect()).Id, sandboxImageId, `${node.hostname} holds the manager's sandbox image`);
  }
  const labelled = await listClassNodes(swarm.manager.docker);
  assert.deepEqual(
    labelled.map((n) => [n.hostname, n.labels[imageLabel(sandboxImageId)]]),
    [
      ['node1', 'ready'],
      ['node2', 'ready'],
      ['node3', 'ready'],
    ],
  );
  // Each sandbox's engine answers where it runs (up() resolved only then), at its node's address.
  for (const attendee of [ada, bo, cy]) {
    const host = readFileSync(join(dataDir, 'environments', attendee.id, 'engine-host'), 'utf8');
    assert.match(host, /^ssh:\/\/root@10\.231\.0\.1[123]:22\d\d$/m);
  }
});

test('a full class refuses the next sandbox plainly: the attendee, `env status` and `env nodes` say "class full"', { timeout: 120_000 }, async () => {
  const started = Date.now();
  await assert.rejects(provider.up(di), (error: Error) => error.message === CLASS_FULL);
  assert.ok(Date.now() - started < 30_000, `refused within ${Date.now() - started} ms`);
  // What the attendee's terminal shows (the launcher prints the `failed` file).
  assert.equal(readFileSync(join(dataDir, 'environments', di.id, 'failed'), 'utf8'), `${CLASS_FULL}\n`);

  const status = await runLabdeck(['env', 'status', di.id], { cwd: folder, dockerHost: swarm.manager.host });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^DI\\s+${di.id}\\s+failed\\s+\\S+: class full: add a node or lower \`memory\`$`, 'm'));

  const nodes = await runLabdeck(['env', 'nodes'], { cwd: folder, dockerHost: swarm.manager.host });
  assert.equal(nodes.code, 0, nodes.stderr);
  const memory = `${(memoryBytes / 1024 ** 3).toFixed(1)} GiB`;
  for (const node of swarm.nodes) {
    assert.match(
      nodes.stdout,
      new RegExp(`^${node.hostname}\\s+${node.address.replace(/\./g, '\\.')}\\s+ready\\s+yes\\s+yes\\s+1\\s+${memory}\\s+\\d+(\\.\\d)? (GiB|MiB)$`, 'm'),
    );
  }
  assert.match(nodes.stdout, /^class full: add a node or lower `memory` \(1 waiting: DI\)$/m);
});

test('a node added mid-class gets the image and takes the waiting sandbox', { timeout: 180_000 }, async () => {
  const node4 = await swarm.addNode();
  await labelEngine(node4);
  await provider.up(di);
  assert.equal((await sandboxNodes()).get(di.id), 'node4');
  assert.equal((await node4.docker.getImage(SANDBOX_IMAGE).inspect()).Id, sandboxImageId);
  const nodes = await runLabdeck(['env', 'nodes'], { cwd: folder, dockerHost: swarm.manager.host });
  assert.match(nodes.stdout, /^node4\s+10\.231\.0\.14\s+ready\s+yes\s+yes\s+1\s/m);
  // Nobody waits any more; the next one would (every node holds one sandbox).
  assert.match(nodes.stdout, /^class full: add a node or lower `memory`$/m);
  await waitFor(() => lines.some((line) => line === 'node node4 has labdeck/sandbox:latest: it takes sandboxes'), {
    timeoutMs: 1000,
    describe: () => lines.join('\n'),
  });
});

test('a node that fails: its sandbox is recreated elsewhere, the terminal reconnects saying so, and the checks follow', { timeout: 180_000 }, async () => {
  // Room for the sandbox to move to: node4's. Removing a sandbox removes its engine's volume on the node it ran on.
  await provider.down(di);
  const node4 = swarm.nodes.find((node) => node.hostname === 'node4');
  assert.ok(node4);
  const volumes = (await node4.docker.listVolumes()).Volumes ?? [];
  assert.deepEqual(
    volumes.map((volume) => volume.Name).filter((name) => name.includes(di.id)),
    [],
    "di's engine volume is gone from node4",
  );
  const placed = await sandboxNodes();
  const victim = attendees.find((attendee) => placed.get(attendee.id) === 'node2');
  assert.ok(victim, `a sandbox runs on node2: ${JSON.stringify([...placed])}`);
  const following = provider.follow?.();
  assert.ok(following, 'the swarm provider follows its sandboxes');
  const address = provider.engineOf(victim.id);
  assert.ok(address);
  const watch = watchEngine(connectEngineAt(address), { debounceMs: 50, reconnectMinMs: 100, reconnectMaxMs: 1000 });
  const runner = createCheckRunner({
    checks: [{ stepId: 'net', check: { kind: 'network', name: 'mine' }, origin: { how: 'specified', file: 'x.yml', line: 1 } }],
    engine: watch,
    probe: async () => ({ ok: true, exitCode: 0, output: '', at: Date.now() }),
  });
  const [shell] = Object.values(provider.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } }]));
  assert.ok(shell);
  const argv = substituteCommand(shell, { attendee: victim.id, terminal: 'shell' });
  const terminal = pty.spawn(argv[0] ?? 'sh', argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
  let output = '';
  terminal.onData((data) => {
    output += data;
  });
  const seen = (pattern: RegExp, timeoutMs: number, what: string): Promise<true> =>
    waitFor(() => pattern.test(output), { timeoutMs, intervalMs: 100, describe: () => `${what}; the terminal printed:\n${output.slice(-1500)}` });
  try {
    terminal.write('touch /root/my-work; echo before-$((1+1))\r');
    await seen(/before-2/, 30_000, 'a shell in the sandbox');
    await connectEngineAt(address).createNetwork({ Name: 'mine' });
    await waitFor(() => runner.result('net')?.status === 'passed', { timeoutMs: 20_000, describe: () => JSON.stringify(runner.result('net')) });

    const killed = Date.now();
    const node2 = swarm.nodes.find((node) => node.hostname === 'node2');
    assert.ok(node2);
    await swarm.stopNode(node2);
    await seen(/The connection to your environment was lost/, 30_000, 'the terminal to notice');
    await seen(/Your environment was recreated \(its machine failed, or it stopped\): its state is lost\./, 120_000, 'the terminal to say the sandbox was recreated');
    const at = output.length;
    terminal.write('ls /root/my-work; echo after-$((2+2))\r');
    await seen(/after-4/, 30_000, 'a shell in the new sandbox');
    const recovery = Date.now() - killed;
    assert.match(output.slice(at), /No such file or directory/, "a new sandbox, without the old one's files");
    assert.equal((await sandboxNodes()).get(victim.id), 'node4');
    assert.match(readFileSync(join(dataDir, 'environments', victim.id, 'engine-host'), 'utf8'), /^ssh:\/\/root@10\.231\.0\.14:/);
    assert.deepEqual(recreated, [victim.id]);
    // The checks watch the new sandbox: the network is gone with the old one, and seen again once made there.
    await waitFor(() => runner.result('net')?.status === 'failed', { timeoutMs: 30_000, describe: () => JSON.stringify(runner.result('net')) });
    await connectEngineAt(address).createNetwork({ Name: 'mine' });
    await waitFor(() => runner.result('net')?.status === 'passed', { timeoutMs: 20_000, describe: () => JSON.stringify(runner.result('net')) });
    process.stdout.write(`# recovery after a node was killed: ${(recovery / 1000).toFixed(1)} s to a working shell\n`);
  } finally {
    terminal.kill();
    runner.dispose();
    watch.dispose();
    following.dispose();
  }
});

test('a node that fails when no other has room: its attendee is told "class full", and is back once there is room', { timeout: 120_000 }, async () => {
  const placed = await sandboxNodes();
  const stranded = attendees.find((attendee) => placed.get(attendee.id) === 'node3');
  const onNode4 = attendees.find((attendee) => placed.get(attendee.id) === 'node4');
  assert.ok(stranded && onNode4, `sandboxes on node3 and node4: ${JSON.stringify([...placed])}`);
  const following = provider.follow?.();
  assert.ok(following);
  try {
    const node3 = swarm.nodes.find((node) => node.hostname === 'node3');
    assert.ok(node3);
    await swarm.stopNode(node3);
    const failed = join(dataDir, 'environments', stranded.id, 'failed');
    await waitFor(() => existsSync(failed) && readFileSync(failed, 'utf8') === `${CLASS_FULL}\n`, {
      timeoutMs: 60_000,
      intervalMs: 200,
      describe: () => `the attendee told; notes ${JSON.stringify(notes)}`,
    });
    assert.deepEqual(notes.at(-1), [stranded.id, CLASS_FULL], 'the dashboard says it too');
    assert.equal(existsSync(join(dataDir, 'environments', stranded.id, 'enter')), false, 'no way in until it runs again');
    // Room again: the swarm starts the sandbox there, and labdeck prepares it by itself.
    await provider.down(onNode4);
    await waitFor(() => existsSync(join(dataDir, 'environments', stranded.id, 'enter')), { timeoutMs: 90_000, intervalMs: 200, describe: () => JSON.stringify(notes) });
    assert.equal((await sandboxNodes()).get(stranded.id), 'node4');
    assert.equal(notes.at(-1)?.[0], stranded.id);
    assert.match(notes.at(-1)?.[1] ?? '', /^sandbox recreated/);
  } finally {
    following.dispose();
  }
});

test('warm seats across the nodes: where memory is free, claimed on another node; a failed node hands its ready seat to nobody, and its claimed seat is recovered', {
  timeout: 420_000,
}, async () => {
  // Room: only the sandbox on node1 (the manager) stays, reserving 60% of it: no seat (45%) fits there. node5 joins.
  const before = await sandboxNodes();
  const onManager = attendees.find((attendee) => before.get(attendee.id) === 'node1');
  assert.ok(onManager, `a sandbox runs on node1: ${JSON.stringify([...before])}`);
  for (const attendee of attendees) if (attendee !== onManager) await provider.down(attendee);
  const node5 = await swarm.addNode();
  await labelEngine(node5);
  const root = join(dataDir, 'environments');
  const seatNotes: [string, string | null][] = [];
  const seating = createSwarmProvider({
    docker: swarm.manager.docker,
    classId,
    root,
    log: (line) => lines.push(line),
    config: {
      provider: 'swarm',
      memoryBytes: Math.floor(nodeMemory * 0.45),
      nanoCpus: 1e9,
      images: ['labdeck/busybox:latest'],
      warm: 1,
      location: { file: 'workshop.yml', line: 1 },
    },
    // The four seats of `env warm 4` boot at once: three at a time, the fourth waited for one to be ready (26 s more).
    concurrency: 4,
    followIntervalMs: 1000,
    onNote: (attendee, note) => seatNotes.push([attendee, note?.text ?? null]),
  });
  const pool = seating.seats;
  assert.ok(pool);
  // `labdeck env warm 4`: two seats fit on each living node that is not full, and the manager's reservation keeps them off it.
  const filled = await pool.fill(4);
  assert.deepEqual([filled.ready, filled.failures], [4, []], lines.slice(-20).join('\n'));
  const seats = await listSeats(swarm.manager.docker, classId);
  const placed = await taskNodes();
  assert.deepEqual(seats.map((seat) => placed.get(seat.seat)).sort(), ['node4', 'node4', 'node5', 'node5'], JSON.stringify([...placed]));
  for (const seat of seats) {
    const node = swarm.nodes.find((n) => n.hostname === placed.get(seat.seat));
    assert.equal((await node?.docker.getImage(SANDBOX_IMAGE).inspect())?.Id, sandboxImageId, `${node?.hostname} holds the sandbox image`);
    const images = await connectEngineAt(sandboxEngineAddress(root, seat.seat)).listImages();
    assert.ok(
      images.some((image) => image.RepoTags?.includes('labdeck/busybox:latest')),
      `seat ${seat.seat} has the class's images`,
    );
  }

  // Eve joins: the oldest seat is hers, on another node than the manager, and her terminal's engine answers through it.
  const eve: AttendeeRef = { id: 'a-eve5', name: 'EVE' };
  const joined = Date.now();
  await seating.up(eve);
  const eveSeat = (await listSeats(swarm.manager.docker, classId)).find((seat) => seat.attendee === eve.id);
  assert.equal(eveSeat?.seat, seats[0]?.seat, 'the oldest seat');
  const eveNode = swarm.nodes.find((node) => node.hostname === placed.get(eveSeat?.seat ?? ''));
  assert.ok(eveNode && eveNode !== swarm.manager, `Eve's seat runs on ${eveNode?.hostname}`);
  const eveTerminal = openTerminal(seating, eve);
  const following = seating.follow?.();
  let keeping: { dispose(): void } | undefined;
  try {
    eveTerminal.terminal.write("docker info --format 'answer={{.ServerVersion}}'; docker images --format 'image={{.Repository}}'; touch /root/mine\r");
    await eveTerminal.seen(/answer=\d[\s\S]*image=labdeck\/busybox/, 30_000, "Eve's engine to answer");
    process.stdout.write(`# a warm seat on ${eveNode.hostname}: join → docker info answered in ${((Date.now() - joined) / 1000).toFixed(1)} s\n`);

    // Eve's node fails, with a ready seat on it beside hers. Room for both on node1 once its attendee leaves.
    const ready = seats.find((seat) => seat !== seats[0] && placed.get(seat.seat) === eveNode.hostname);
    assert.ok(ready, `a ready seat beside Eve's: ${JSON.stringify([...placed])}`);
    const readyTask = (await sandboxTasks(swarm.manager.docker, classId)).find((task) => task.attendee === ready.seat)?.task;
    await provider.down(onManager);
    eveTerminal.since();
    await swarm.stopNode(eveNode);
    await waitFor(async () => (await sandboxTasks(swarm.manager.docker, classId)).find((task) => task.attendee === ready.seat)?.task !== readyTask, {
      timeoutMs: 30_000,
      describe: () => 'the swarm to recreate the ready seat elsewhere',
    });
    // Everyone joining now gets a seat that is ready, never the one recreated (its engine booting, without images).
    const handed: string[] = [];
    for (const id of ['a-gus1', 'a-gus2', 'a-gus3']) {
      const seat = await claimSeat(swarm.manager.docker, classId, { id, name: id });
      if (seat) handed.push(seat.seat);
    }
    assert.ok(!handed.includes(ready.seat), `the recreated seat ${ready.seat} was handed out: ${handed.join(', ')}`);
    assert.equal(handed.length, 2, `the two ready seats on the living node: ${handed.join(', ')}`);

    // Eve's terminal follows her seat, recreated, as after any node failure; the pool replaces the other on a living node.
    keeping = pool.keepFilled();
    await eveTerminal.seen(/Your environment was recreated \(its machine failed, or it stopped\): its state is lost\./, 120_000, 'Eve told her seat was recreated');
    eveTerminal.since();
    eveTerminal.terminal.write("ls /root/mine; docker info --format 'again={{.ServerVersion}}'\r");
    await eveTerminal.seen(/No such file or directory[\s\S]*again=\d/, 60_000, "Eve's recreated engine to answer");
    assert.deepEqual(
      seatNotes.map(([attendee]) => attendee),
      [eve.id],
      `only Eve is told of a recreation: ${JSON.stringify(seatNotes)}`,
    );
    await waitFor(
      async () => {
        const now = await listSeats(swarm.manager.docker, classId);
        return !now.some((seat) => seat.seat === ready.seat) && now.some((seat) => seat.state === 'ready');
      },
      { timeoutMs: 120_000, intervalMs: 500, describe: () => `the pool to replace ${ready.seat}:\n${lines.slice(-15).join('\n')}` },
    );
    const replacement = (await listSeats(swarm.manager.docker, classId)).find((seat) => seat.state === 'ready');
    const living = (await taskNodes()).get(replacement?.seat ?? '');
    assert.ok(living && living !== eveNode.hostname, `the new seat runs on ${living}`);
  } finally {
    keeping?.dispose();
    following?.dispose();
    eveTerminal.terminal.kill();
  }
});

test('the test swarm leaves no trace once removed, even killed with sandboxes running on its engines', { timeout: 180_000 }, async () => {
  const left = await taskNodes();
  assert.ok(left.size > 0, 'the class still has sandboxes running: the kill leaves their containers behind');
  for (const node of swarm.nodes) killNodeEngine(node);
  await waitFor(() => multiNodeSwarmTraces().some((trace) => trace.startsWith('processes')), { timeoutMs: 5000, describe: () => 'shims left running' });
  await swarm.remove();
  assert.deepEqual(multiNodeSwarmTraces(), []);
});
