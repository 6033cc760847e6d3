// test-runner: alone (it boots four 2-node clusters, each node a sandbox with an engine inside, and times the claims)
// Warm seats holding whole clusters, on the real engine (classroom.environment: nodes: 2, warm: 2): `labdeck env warm 2`
// makes two ready clusters (node1 and node2 each); Alice and Bob join at once, through two processes, and each gets a
// whole cluster of their own, entered in seconds: the node2 their node1 reaches by name (and by ssh, host key checked)
// is the node2 of the seat they claimed, labelled theirs, and the other attendee's nodes do not answer them. A terminal
// opens on their node2 too. The class refills the pool (two ready clusters again); `env status` counts each cluster as
// one seat, `env reset` gives an attendee another whole one, and `env down` removes everything. Two nodes prove what
// three would: node1 claims, the others follow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_SEAT_LABEL } from '../../src/engine/sandbox-spec.ts';
import { SANDBOX_NODE_LABEL } from '../../src/engine/cluster-spec.ts';
import { listSeats } from '../../src/engine/warm-seats.ts';
import { loadWorkshop } from '../../src/config/workshop.ts';
import type { SwarmEnvironmentConfig } from '../../src/config/environment.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { AttendeeRef } from '../../src/environments/provider.ts';
import { openProgressStore } from '../../src/progress/store.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { removeClassLeftovers } from '../support/class-sandboxes.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const classId = `S${Date.now().toString(36).toUpperCase()}`;
const folder = mkdtempSync(join(tmpdir(), 'labdeck-cluster-seats-'));
const dataDir = join(folder, 'class');
const root = join(dataDir, 'environments');
const alice: AttendeeRef = { id: 'a-alice3', name: 'Alice' };
const bob: AttendeeRef = { id: 'a-bob3', name: 'Bob' };
const classFilter = { filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } };

writeFileSync(
  join(folder, 'workshop.yml'),
  [
    'title: T',
    'chapters: [a.md]',
    'classroom:',
    '  data: class',
    '  environment: { provider: swarm, memory: 512m, images: [labdeck/busybox], nodes: 2, warm: 2 }',
    'terminals:',
    '  shell: local',
    '',
  ].join('\n'),
);
writeFileSync(join(folder, 'a.md'), '# A\n');
const store = openProgressStore(dataDir);
store.classRecord(() => ({ code: classId, instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
for (const [n, attendee] of [alice, bob].entries()) store.addAttendee({ id: attendee.id, name: attendee.name, token: `t${n}`, joinedAt: n + 1 });
store.close();

before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    await ensureSandboxImage(docker, {});
  },
  { timeout: 900_000 },
);

after(async () => {
  await removeClassLeftovers(docker, classId);
  const networks = await docker.listNetworks(classFilter);
  await Promise.all(
    networks.map((network) =>
      docker
        .getNetwork(network.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  rmSync(folder, { recursive: true, force: true });
});

/** Runs `command` through the attendee's terminal way into `node` (its launcher's `enter`); resolves to its output. */
function onNode(attendee: AttendeeRef, node: 'node1' | 'node2', command: string): Promise<string> {
  const enter = node === 'node1' ? join(root, attendee.id, 'enter') : join(root, attendee.id, node, 'enter');
  return new Promise((resolve, reject) => {
    execFile('sh', [enter, command], { timeout: 60_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.replace(/\r/g, '');
      if (error) reject(new Error(`${attendee.name}'s ${node}: ${command}\nfailed: ${error.message}\n${output}`));
      else resolve(output);
    });
  });
}

interface ServiceView {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

/** The address of the service's running task on the network named `network`. */
async function addressOn(service: string, network: string): Promise<string | undefined> {
  const tasks = (await docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as {
    NetworksAttachments?: { Network?: { Spec?: { Name?: string } }; Addresses?: string[] }[];
  }[];
  const attachment = tasks.flatMap((task) => task.NetworksAttachments ?? []).find((a) => a.Network?.Spec?.Name === network);
  return attachment?.Addresses?.[0]?.replace(/\/\d+$/, '');
}

test('warm seats hold whole clusters: two attendees at once get two whole clusters, ssh node2 works, the pool refills', { timeout: 600_000 }, async () => {
  const started = Date.now();
  const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
  const config = loadWorkshop(join(folder, 'workshop.yml')).classroom.environment as SwarmEnvironmentConfig;
  assert.deepEqual([config.nodes, config.warm], [2, 2]);

  // Before the class: two ready clusters, each one seat.
  const warm = await runLabdeck(['env', 'warm', '2'], { cwd: folder, stderrIsTerminal: false });
  assert.equal(warm.code, 0, `${warm.stdout}\n${warm.stderr}`);
  assert.match(warm.stdout, /^2 warm seats ready \(0 claimed by attendees\), class S/m);
  const seats = await listSeats(docker, classId);
  assert.deepEqual(
    seats.map((seat) => seat.state),
    ['ready', 'ready'],
  );
  const services = (await docker.listServices(classFilter)) as ServiceView[];
  assert.equal(services.length, 4, services.map((service) => service.Spec?.Name).join(' '));
  process.stdout.write(`# two warm 2-node clusters ready in ${seconds(started)} s\n`);

  // The class runs (its pool kept filled); Alice joins through it while Bob's cluster is made by another process.
  const linesA: string[] = [];
  const linesB: string[] = [];
  const serving = createSwarmProvider({ docker, classId, root, config, log: (line) => linesA.push(line) });
  const other = createSwarmProvider({ docker, classId, root, config, log: (line) => linesB.push(line) });
  const joined = Date.now();
  await Promise.all([serving.up(alice), other.up(bob)]);
  const entered = (Date.now() - joined) / 1000;
  const logs = `${linesA.join('\n')}\n${linesB.join('\n')}`;
  assert.ok(entered < 20, `entering two warm clusters took ${entered.toFixed(1)} s\n${logs}`);
  process.stdout.write(`# two attendees entered their warm clusters in ${entered.toFixed(1)} s\n`);
  assert.equal((logs.match(/a warm seat is yours/g) ?? []).length, 2, logs);
  const keeping = serving.seats?.keepFilled();

  // Each holds one whole seat: node1 claimed, node2 of the same seat labelled theirs; the two seats differ.
  const claimed = await listSeats(docker, classId);
  const seatOf = (attendee: AttendeeRef): string => {
    const held = claimed.filter((seat) => seat.attendee === attendee.id);
    assert.equal(held.length, 1, `${attendee.name} holds ${JSON.stringify(claimed)}`);
    return held[0]!.seat;
  };
  const [aliceSeat, bobSeat] = [seatOf(alice), seatOf(bob)];
  assert.notEqual(aliceSeat, bobSeat);
  let all = (await docker.listServices(classFilter)) as ServiceView[];
  const node2Of = (seat: string): ServiceView => {
    const found = all.filter((service) => service.Spec?.Labels?.[SANDBOX_SEAT_LABEL] === seat && service.Spec?.Labels?.[SANDBOX_NODE_LABEL] === 'node2');
    assert.equal(found.length, 1, `node2 of ${seat}: ${all.map((service) => service.Spec?.Name).join(' ')}`);
    return found[0]!;
  };
  for (const [attendee, seat] of [
    [alice, aliceSeat],
    [bob, bobSeat],
  ] as const) {
    const node2 = node2Of(seat);
    assert.equal(node2.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL], attendee.id, `${node2.Spec?.Name} is ${attendee.name}'s`);
    // The node2 their node1 resolves, and reaches by ssh (host key checked), is their seat's node2.
    const network = `${claimed.find((s) => s.seat === seat)!.service}-net`;
    const expected = await addressOn(node2.Spec?.Name ?? '', network);
    assert.ok(expected, `${node2.Spec?.Name} runs on ${network}`);
    const seen = await onNode(attendee, 'node1', "hostname; getent hosts node2 | cut -d' ' -f1; ssh node2 'hostname; docker image ls --format {{.Repository}}'");
    assert.deepEqual(seen.trim().split('\n'), ['node1', expected, 'node2', 'labdeck/busybox'], `${attendee.name}: ${seen}`);
    // Their own terminal way into node2 (through node1, node2's host key pinned).
    assert.equal((await onNode(attendee, 'node2', 'hostname')).trim(), 'node2');
  }
  // Bob's node1 gets no ssh answer from Alice's nodes (the isolation of attendee-cluster.test.ts, for claimed seats).
  const aliceAddresses = await Promise.all(
    [claimed.find((s) => s.seat === aliceSeat)!.service, node2Of(aliceSeat).Spec?.Name ?? ''].map((service) =>
      addressOn(service, `${claimed.find((s) => s.seat === aliceSeat)!.service}-net`),
    ),
  );
  const probes = await onNode(
    bob,
    'node1',
    `for ip in ${aliceAddresses.join(' ')}; do (timeout 3 bash -c "exec 3<>/dev/tcp/$ip/22 && head -c 4 <&3" 2>/dev/null | grep -q SSH- && echo "ssh $ip") & done; wait; echo probed`,
  );
  assert.equal(probes.trim(), 'probed', `Bob reached Alice's nodes:\n${probes}`);

  // `env status`: each attendee's cluster, node2 included; the pool as seats, a cluster each.
  const status = await runLabdeck(['env', 'status'], { cwd: folder });
  assert.match(status.stdout, /^Alice\s+a-alice3\s+ready\s+\S+ at ssh:\/\/\S+; node2 running$/m);
  assert.match(status.stdout, /^Bob\s+a-bob3\s+ready\s+\S+ at ssh:\/\/\S+; node2 running$/m);
  assert.match(status.stdout, /^warm seats: \d ready, \d warming, 2 claimed by attendees$/m);

  // The pool refills: two ready clusters again beside the two claimed.
  const refilled = Date.now();
  const deadline = Date.now() + 240_000;
  for (;;) {
    const counts = await serving.seats!.look();
    if (counts.ready === 2 && counts.warming === 0 && counts.claimed === 2) break;
    assert.ok(Date.now() < deadline, `the pool did not refill: ${JSON.stringify(counts)}\n${linesA.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  keeping?.dispose();
  assert.equal(((await docker.listServices(classFilter)) as ServiceView[]).length, 8);
  process.stdout.write(`# the pool refilled (two 2-node clusters) in ${seconds(refilled)} s\n`);

  // `env reset Bob`: his whole cluster goes, and he gets another ready one, whole.
  const resetAt = Date.now();
  const reset = await runLabdeck(['env', 'reset', 'Bob'], { cwd: folder });
  assert.equal(reset.code, 0, reset.stdout);
  const afterReset = await listSeats(docker, classId);
  const bobNow = afterReset.filter((seat) => seat.attendee === bob.id).map((seat) => seat.seat);
  assert.equal(bobNow.length, 1, JSON.stringify(afterReset));
  assert.notEqual(bobNow[0], bobSeat);
  assert.deepEqual(await serving.seats!.look(), { ready: 1, warming: 0, claimed: 2, target: 2 });
  all = (await docker.listServices(classFilter)) as ServiceView[];
  assert.equal(all.filter((service) => service.Spec?.Labels?.[SANDBOX_SEAT_LABEL] === bobSeat).length, 0, 'his old cluster is gone, node2 included');
  assert.equal(node2Of(bobNow[0]!).Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL], bob.id);
  assert.equal((await onNode(bob, 'node1', 'ssh node2 hostname')).trim(), 'node2');
  process.stdout.write(`# env reset of a warm cluster in ${seconds(resetAt)} s\n`);

  // The end of the class: both clusters and the two unclaimed ones go, with everything they were made of.
  const down = await runLabdeck(['env', 'down'], { cwd: folder });
  assert.equal(down.code, 0, down.stdout);
  assert.match(down.stdout, /^Alice \(a-alice3\): removed\nBob \(a-bob3\): removed$/m);
  assert.match(down.stdout, /^1 unclaimed warm seat: removed$/m);
  assert.deepEqual(await docker.listServices(classFilter), []);
  assert.deepEqual(await docker.listSecrets(classFilter), []);
  assert.deepEqual(await docker.listNetworks(classFilter), []);
  assert.deepEqual(await docker.listContainers({ all: true, ...classFilter }), []);
  assert.deepEqual((await docker.listVolumes(classFilter)).Volumes ?? [], []);
  process.stdout.write(`# total ${seconds(started)} s\n`);
});
