// test-runner: alone
// A cluster per attendee on the real engine (classroom.environment nodes: 3): Alice's node1…node3 are sandboxes on a
// network of her own, named and reachable by name, with root ssh between them; from node1 they become a real inner
// swarm (the join command `swarm init` prints, run on the others over ssh), whose overlay and 3-replica service span
// them and whose drained node gives its task away. Bob's cluster in the same class (nodes: 2) reaches none of Alice's
// nodes: not by address, not by name, not by ssh. `down` leaves nothing of either. Alone: five engines boot at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInTerminal } from '../support/class-sandboxes.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { currentHost } from '../../src/engine/engine-address.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { AttendeeRef } from '../../src/environments/provider.ts';
import type { SwarmEnvironmentConfig } from '../../src/config/environment.ts';
import { ensureClassKey } from '../../src/environments/ssh-keys.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from '../terminal/terminal-client.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { watchSwarmManager } from '../../src/engine/manager-watch.ts';
import { clusterNodeEngineAddress } from '../../src/environments/cluster-access.ts';
import { clusterNames } from '../../src/engine/cluster-spec.ts';
import { createCheckRunner } from '../../src/checks/runner.ts';
import { evaluateCheck } from '../../src/checks/evaluate.ts';
import type { CheckSpec } from '../../src/checks/spec.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const root = mkdtempSync(join(tmpdir(), 'labdeck-cluster-'));
const classId = `c${Date.now().toString(36)}`;
const alice: AttendeeRef = { id: 'a-alice1', name: 'Alice' };
const bob: AttendeeRef = { id: 'a-bob2', name: 'Bob' };
const lines: string[] = [];
const config = (nodes: number): SwarmEnvironmentConfig => ({
  provider: 'swarm',
  memoryBytes: 512 * 1024 ** 2,
  nanoCpus: 1e9,
  images: ['labdeck/busybox:latest'],
  nodes,
  location: { file: 'workshop.yml', line: 1 },
});
const providerOf = (nodes: number) => createSwarmProvider({ docker, classId, root, log: (line) => lines.push(line), config: config(nodes), startTimeoutMs: 180_000 });
const threeNodes = providerOf(3);
const twoNodes = providerOf(2);

after(async () => {
  await Promise.all([threeNodes.down(alice), twoNodes.down(bob)]).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

before(
  async () => {
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    await ensureSandboxImage(docker);
    // The class key exists before attendees join (one provider per class makes it; here two providers share the class).
    await ensureClassKey(root, classId);
  },
  { timeout: 900_000 },
);

/** Runs a shell command line on the attendee's node1, as their terminal enters it (ssh); resolves to its output. */
function onNode1(attendee: AttendeeRef, command: string, { allowFailure = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', [join(root, attendee.id, 'enter'), command], { timeout: 60_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.replace(/\r/g, '');
      if (error && !allowFailure) reject(new Error(`${attendee.name}'s node1: ${command}\nfailed: ${error.message}\n${output}`));
      else resolve(output);
    });
  });
}

/** Polls `command` on node1 until `done(output)`, failing with what it last saw at the deadline. */
async function untilOnNode1(attendee: AttendeeRef, command: string, done: (output: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = await onNode1(attendee, command, { allowFailure: true });
    if (done(output)) return output;
    assert.ok(Date.now() < deadline, `${command}: still\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const classFilter = { filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } };

test('each attendee gets a cluster of their own: an inner swarm across its nodes, nothing reachable across clusters', { timeout: 600_000 }, async () => {
  const started = Date.now();
  const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
  await Promise.all([threeNodes.up(alice), twoNodes.up(bob)]);
  const ready = Date.now();
  process.stdout.write(`# both clusters ready (3 + 2 nodes) in ${seconds(started)} s\n`);

  const [status] = await threeNodes.status([alice]);
  assert.equal(status?.state, 'ready');
  assert.match(status?.detail ?? '', /; node2 running, node3 running$/);

  // Names, ssh between the nodes (host keys checked: no prompt, no warning), the class's images in every node.
  const names = await onNode1(alice, "hostname; for n in node2 node3; do ssh $n 'hostname; docker image ls --format {{.Repository}}'; done; ssh node1 hostname");
  assert.deepEqual(names.trim().split('\n'), ['node1', 'node2', 'labdeck/busybox', 'node3', 'labdeck/busybox', 'node1']);
  // The nodes' addresses on Alice's network, as the nodes resolve them.
  const addresses = async (attendee: AttendeeRef, nodes: number): Promise<string[]> => {
    const output = await onNode1(attendee, `for n in ${Array.from({ length: nodes }, (_, i) => `node${i + 1}`).join(' ')}; do ssh $n hostname -i; done`);
    return output.trim().split('\n');
  };
  // From node2, node1's name is its address on the attendee's network (from node1 itself, /etc/hosts may say another).
  const node1Address = (await onNode1(alice, 'ssh node2 getent hosts node1')).trim().split(/\s+/)[0] ?? '';
  assert.match(node1Address, /^\d+\.\d+\.\d+\.\d+$/);

  // A node has two interfaces (the attendee's network and the swarm's gateway bridge): eth0 is the attendee's, so
  // `--advertise-addr eth0` is what an instructor can tell a class (docs/environments.md).
  // (The sandbox image has neither `ip` nor `ping`: busybox's, in a container sharing the node's network, stand in.)
  assert.match(
    await onNode1(alice, 'docker run --rm --network host labdeck/busybox:latest ip -4 -o addr show dev eth0'),
    new RegExp(` inet ${node1Address.replace(/\./g, '\\.')}/`),
  );
  // The inner swarm: init on node1, the join command it prints run on node2 and node3 through ssh.
  const init = await onNode1(alice, `docker swarm init --advertise-addr ${node1Address}`);
  const join = /docker swarm join --token \S+ \S+:2377/.exec(init)?.[0];
  assert.ok(join, init);
  await onNode1(alice, `ssh node2 ${join} && ssh node3 ${join}`);
  const nodeList = await untilOnNode1(alice, "docker node ls --format '{{.Hostname}} {{.Status}}'", (out) => (out.match(/ Ready/g) ?? []).length === 3, 30_000);
  assert.deepEqual(nodeList.trim().split('\n').sort(), ['node1 Ready', 'node2 Ready', 'node3 Ready']);

  // An inner overlay and three replicas spread over the nodes answer each other by tasks. DNS.
  await onNode1(
    alice,
    'docker network create -d overlay --attachable inner >/dev/null && docker service create -d -q --no-resolve-image --name web --replicas 3 --network inner --endpoint-mode dnsrr --placement-pref spread=node.id labdeck/busybox:latest sleep 3600 >/dev/null',
  );
  const placed = await untilOnNode1(
    alice,
    "docker service ps web --filter desired-state=running --format '{{.Node}} {{.CurrentState}}'",
    (out) => (out.match(/Running/g) ?? []).length === 3,
    60_000,
  );
  assert.deepEqual(
    placed
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0])
      .sort(),
    ['node1', 'node2', 'node3'],
  );
  const pings = await untilOnNode1(
    alice,
    `docker run --rm --network inner labdeck/busybox:latest sh -c 'ips=$(nslookup tasks.web 127.0.0.11 | grep -oE "([0-9]+[.]){3}[0-9]+" | grep -v "^127[.]"); for ip in $ips; do ping -c1 -W2 $ip >/dev/null && echo "answered $ip"; done'`,
    (out) => (out.match(/^answered /gm) ?? []).length === 3,
    30_000,
  );
  assert.equal(new Set(pings.match(/^answered \S+/gm)).size, 3, pings);

  // Draining node2 moves its task to the others.
  await onNode1(alice, 'docker node update --availability drain node2 >/dev/null');
  const drained = await untilOnNode1(
    alice,
    "docker service ps web --filter desired-state=running --format '{{.Node}} {{.CurrentState}}'",
    (out) => (out.match(/Running/g) ?? []).length === 3 && !/^node2 /m.test(out),
    60_000,
  );
  assert.doesNotMatch(drained, /^node2 /m);
  const swarmDone = Date.now();
  process.stdout.write(`# inner swarm: init, joins, overlay, spread, drain in ${seconds(ready)} s\n`);

  // Bob's cluster reaches nothing of Alice's: not her nodes' addresses (any of their interfaces), not by name, not by
  // ssh (her node1's published port answers, and refuses his cluster's key).
  // (Addresses Bob's own nodes have too, such as each inner engine's docker0, are his own: not probed. A TCP connect
  // alone proves nothing here: this machine's gateway accepts any, so an ssh server must answer, with its banner.)
  const bobOwn = new Set((await onNode1(bob, 'hostname -I')).trim().split(/\s+/));
  const aliceAll = [...new Set((await onNode1(alice, 'for n in node1 node2 node3; do ssh $n hostname -I; done')).trim().split(/\s+/))].filter((ip) => !bobOwn.has(ip));
  const [bobNode1, bobNode2] = await addresses(bob, 2);
  assert.ok(bobNode1 && !aliceAll.includes(bobNode1));
  assert.ok(aliceAll.includes(node1Address), `${node1Address} among ${aliceAll.join(' ')}`);
  const probes = await onNode1(
    bob,
    // All probes at once: those that time out cost their timeout once, not once each.
    `for ip in ${aliceAll.join(' ')} ${bobNode2}; do (timeout 3 bash -c "exec 3<>/dev/tcp/$ip/22 && head -c 4 <&3" 2>/dev/null | grep -q SSH- && echo "ssh $ip") & done; wait; ` +
      `docker run --rm --network host labdeck/busybox:latest sh -c 'for ip in ${aliceAll.join(' ')} ${bobNode2}; do (ping -c1 -W1 $ip >/dev/null 2>&1 && echo "ping $ip") & done; wait'; echo probed`,
  );
  // His own node2 answers the same probes: they would see a node they reached.
  assert.equal(probes.trim(), `ssh ${bobNode2}\nping ${bobNode2}\nprobed`, `Bob reached Alice's nodes:\n${probes}`);
  const bobNames = await onNode1(bob, 'getent hosts node1 node2 | cut -d" " -f1; getent hosts node3 || echo "no node3"', { allowFailure: true });
  assert.equal(bobNames.includes(node1Address), false, bobNames);
  assert.match(bobNames, /no node3/);
  // Alice's node1 publishes its ssh port on this machine (the swarm reports this single node as 127.0.0.1, which in
  // Bob's node is his own: the machine's own address is tried instead): Bob's node never gets a shell there, nor on
  // Alice's nodes' addresses, with his cluster's key.
  const { port } = new URL(currentHost(threeNodes.engineOf(alice.id) ?? { host: '' }) ?? 'ssh://x');
  const machine = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
  const targets = [...(machine ? [`-p ${port} root@${machine}`] : []), ...aliceAll.map((ip) => `root@${ip}`)];
  const bobSsh = await onNode1(
    bob,
    targets
      .map(
        (target) => `ssh -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ${target} echo reached-alice; echo "exit $?"`,
      )
      .map((attempt) => `(${attempt}) &`)
      .join(' ')
      .concat(' wait'),
  );
  assert.doesNotMatch(bobSsh, /reached-alice/);
  assert.equal((bobSsh.match(/^exit 255$/gm) ?? []).length, targets.length, bobSsh);
  process.stdout.write(`# Bob's ssh attempts: ${bobSsh.replace(/\n/g, ' | ')}\n`);

  // A terminal may open on another node: it enters Alice's node2 through node1.
  const [shell] = Object.values(
    threeNodes.terminalCommands([{ name: 'second', command: ['bash', '-l'], localShell: true, node: 'node2', location: { file: 'w', line: 1 } }]),
  );
  assert.ok(shell);
  const output = await runInTerminal(substituteCommand(shell, { attendee: alice.id, terminal: 'second' }), 'echo "on $(hostname)"; exit\r');
  assert.match(output, /^on node2\r?$/m);

  // A command typed in that node2 terminal is `ran` evidence for Alice, as one typed on node1 is: the terminal has
  // shell integration (served as `serve` serves it), and its record goes to her checks.
  const checksStarted = Date.now();
  const manager = new TerminalManager({
    commands: threeNodes.terminalCommands([{ name: 'second', command: ['bash', '-l'], localShell: true, node: 'node2', location: { file: 'w', line: 1 } }]),
    defaultCommand: null,
    ...(threeNodes.shellIntegration ? { shellIntegration: threeNodes.shellIntegration } : {}),
    env: testEnvironment(),
  });
  const viewer = new TerminalClient();
  // The checks of a class of clusters (serve's clusterOf): one watch that reads node1's engine while it manages the
  // inner swarm, and its leader once it does not.
  const node1Engine = threeNodes.engineOf(alice.id);
  assert.ok(node1Engine);
  const clusterWatch = watchSwarmManager(
    [1, 2, 3].map((index) => connectEngineAt(index === 1 ? node1Engine : clusterNodeEngineAddress(node1Engine, root, alice.id, index))),
    { lookIntervalMs: 500 },
  );
  const ranHostname = createCheckRunner({
    checks: [{ stepId: 'ran-on-node2', check: { kind: 'ran', pattern: '^hostname -s$' }, origin: { how: 'specified', file: 'w', line: 1 } }],
    engine: clusterWatch,
    probe: async () => ({ ok: false, error: 'no probe here', at: Date.now() }),
  });
  try {
    manager.onCommand((record) => ranHostname.commandRan(record));
    const connection = manager.attach({ attendee: alice.id, terminal: 'second', role: 'owner', cols: 100, rows: 30 }, viewer);
    viewer.onAck = (n) => connection.ack(n);
    await viewer.waitForText(/node2/, 60_000);
    connection.input(bytes('hostname -s\r'));
    await waitUntil(
      () => ranHostname.result('ran-on-node2')?.status === 'passed',
      30_000,
      () => `log ${JSON.stringify(manager.get(alice.id, 'second')?.commandLog)}; screen ${JSON.stringify(viewer.text.slice(-300))}`,
    );
    assert.equal(manager.get(alice.id, 'second')?.commandLog[0]?.terminal, `${alice.id}/second`);

    // `node` checks see Alice's nodes, by the hostnames the deck uses (node2 drained above).
    const sees = (check: CheckSpec): boolean => evaluateCheck(check, clusterWatch.current, [], Date.now()).status === 'passed';
    await waitUntil(
      () => clusterWatch.current.nodes.length === 3,
      30_000,
      () => JSON.stringify(clusterWatch.current).slice(0, 500),
    );
    assert.deepEqual(clusterWatch.current.nodes.map((node) => node.hostname).sort(), ['node1', 'node2', 'node3']);
    assert.ok(sees({ kind: 'node', node: 'node2', availability: 'drain' }));
    assert.equal(clusterWatch.watching, 0);

    // node2 and node3 promoted (two managers would lose their quorum without node1), then node1 demoted: another node
    // leads, and the checks follow it (node1's engine is a worker's now, which sees no swarm object).
    await onNode1(alice, 'docker node promote node2 node3 >/dev/null');
    await untilOnNode1(alice, "docker node ls --format '{{.ManagerStatus}}'", (out) => (out.match(/^Reachable$/gm) ?? []).length === 2, 30_000);
    await onNode1(alice, 'docker node demote node1 >/dev/null');
    await waitUntil(
      () => sees({ kind: 'node', node: 'node1', role: 'worker' }) && sees({ kind: 'node', self: true, role: 'manager' }),
      60_000,
      () => `watching ${clusterWatch.watching}: ${JSON.stringify({ ...clusterWatch.current, tasks: [], services: [], containers: [] })}`,
    );
    assert.notEqual(clusterWatch.watching, 0);
    const leader = (await onNode1(alice, "ssh node2 docker node ls --filter role=manager --format '{{.Hostname}}:{{.ManagerStatus}}'")).match(/^(node\d):Leader$/m)?.[1];
    assert.equal(`node${clusterWatch.watching + 1}`, leader, 'the checks read the leader');
    // node1 promoted again: the checks go home (within seconds of node1 managing: a look every 500 ms meanwhile).
    const promoted = Date.now();
    await onNode1(alice, 'ssh node2 docker node promote node1 >/dev/null');
    await waitUntil(
      () => clusterWatch.watching === 0 && clusterWatch.current.isManager,
      60_000,
      () => `watching ${clusterWatch.watching}`,
    );
    process.stdout.write(`# node1 promoted again: the checks read it ${seconds(promoted)} s after the promote command\n`);
    process.stdout.write(`# node2's ran, node checks, following the manager: ${seconds(checksStarted)} s\n`);
  } finally {
    ranHostname.dispose();
    clusterWatch.dispose();
    viewer.dispose();
    manager.dispose();
  }

  // node3 recreated by the swarm (its container gone, as when its machine fails) is prepared again while the server
  // follows the class, as node1 is: its terminals are told, and the class's images are in its engine again (removed
  // from it first, so that only a new preparation brings them back).
  const recreatedStarted = Date.now();
  const following = threeNodes.follow?.();
  try {
    await onNode1(alice, 'ssh node3 docker image rm -f labdeck/busybox:latest >/dev/null');
    const node3Service = clusterNames(classId, alice.id).node(3).service;
    const [node3] = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${node3Service}`] } });
    assert.ok(node3, `no container of ${node3Service}`);
    await docker.getContainer(node3.Id).remove({ force: true });
    await untilOnNode1(alice, "ssh node3 docker image ls --format '{{.Repository}}'", (out) => /^labdeck\/busybox$/m.test(out), 90_000);
    assert.ok(existsSync(`${root}/${alice.id}/node3/recreated`), "node3's terminals are told it was recreated");
    assert.ok(
      lines.some((line) => /node3 .*recreated/.test(line)),
      lines.join('\n'),
    );
    process.stdout.write(`# node3 recreated and prepared again in ${seconds(recreatedStarted)} s\n`);
  } finally {
    following?.dispose();
  }

  // Down removes each cluster whole: services, secrets, networks, containers and volumes.
  assert.equal(await threeNodes.down(alice), true);
  assert.equal(await twoNodes.down(bob), true);
  assert.deepEqual(await docker.listServices(classFilter), []);
  assert.deepEqual(await docker.listSecrets(classFilter), []);
  assert.deepEqual(await docker.listNetworks(classFilter), []);
  assert.deepEqual(await docker.listContainers({ all: true, ...classFilter }), []);
  assert.deepEqual((await docker.listVolumes(classFilter)).Volumes ?? [], []);
  process.stdout.write(`# isolation, terminal, down in ${seconds(swarmDone)} s; total ${seconds(started)} s\n`);
});
