// The swarm environment provider on the real engine: two attendees get two sandboxes (swarm services, each with its
// own Docker engine), whose swarms are independent; an attendee's terminal command runs inside their sandbox; `down`
// leaves no service, container or volume behind. The sandbox image is built the first time only (about 70 s with
// debootstrap) and then reused, like the lab's toolbox.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as pty from 'node-pty';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';
import { ensureService, ensureSwarm, waitForServices } from '../../src/engine/services.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { AttendeeRef } from '../../src/environments/provider.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
// Unix socket paths are limited to 108 bytes: the environments folder stays short.
const root = mkdtempSync('/tmp/ldsb-');
const classId = `t${Date.now().toString(36)}`;
const alice: AttendeeRef = { id: 'a-alice1', name: 'Alice' };
const bob: AttendeeRef = { id: 'a-bob2', name: 'Bob' };
const lines: string[] = [];
const provider = createSwarmProvider({
  docker, classId, root, log: (line) => lines.push(line),
  config: { provider: 'swarm', memoryBytes: 768 * 1024 ** 2, nanoCpus: 1e9, images: ['labdeck/busybox:latest'], location: { file: 'workshop.yml', line: 1 } },
});

after(async () => {
  await Promise.all([provider.down(alice), provider.down(bob)]).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

/** Runs a terminal's argv in a PTY (it uses `docker exec -it`), types `input`, and resolves to everything it printed. */
function runInTerminal(argv: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const terminal = pty.spawn(argv[0]!, argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
    let output = '';
    const timer = setTimeout(() => { terminal.kill(); reject(new Error(`terminal did not exit; it printed:\n${output}`)); }, 30_000);
    terminal.onData((data) => { output += data; });
    terminal.onExit(() => { clearTimeout(timer); resolve(output); });
    terminal.write(input);
  });
}

test('swarm provider: independent sandboxes per attendee, terminals inside, nothing left after down', { timeout: 240_000 }, async () => {
  const started = Date.now();
  await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
  const image = await ensureSandboxImage(docker, { log: (line) => { if (!/^I: (Retriev|Validat|Extract|Unpack|Configur|Check|Found)/.test(line)) process.stdout.write(`# ${line}\n`); } });
  const imageSeconds = (Date.now() - started) / 1000;

  await Promise.all([provider.up(alice), provider.up(bob)]);
  const upSeconds = (Date.now() - started) / 1000 - imageSeconds;
  const status = await provider.status([alice, bob]);
  assert.deepEqual(status.map((s) => [s.attendee.id, s.state]).sort(), [['a-alice1', 'ready'], ['a-bob2', 'ready']]);

  // Each inner engine becomes its own single-node swarm; a service made in Alice's is absent from Bob's.
  const inner = { alice: connectEngine(provider.engineOf(alice.id)!), bob: connectEngine(provider.engineOf(bob.id)!) };
  const [aliceSwarm, bobSwarm] = await Promise.all([ensureSwarm(inner.alice, 'org.labdeck.test'), ensureSwarm(inner.bob, 'org.labdeck.test')]);
  assert.equal(aliceSwarm, 'initialised');
  assert.equal(bobSwarm, 'initialised');
  const [aliceInfo, bobInfo] = await Promise.all([inner.alice.info(), inner.bob.info()]) as { Swarm: { Cluster: { ID: string } } }[];
  assert.notEqual(aliceInfo!.Swarm.Cluster.ID, bobInfo!.Swarm.Cluster.ID);
  await ensureService(inner.alice, {
    name: 'pinger', image: 'labdeck/busybox:latest', replicas: 1, command: ['sleep', '3600'], networks: [], labels: {}, endpointMode: 'vip',
  });
  await waitForServices(inner.alice, ['pinger'], 60_000);
  assert.deepEqual((await inner.alice.listServices()).map((s) => s.Spec?.Name), ['pinger']);
  assert.deepEqual(await inner.bob.listServices(), []);

  // The terminal command runs inside the attendee's sandbox: its docker CLI talks to the inner engine.
  const [shell] = Object.values(provider.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } }]));
  const aliceOutput = await runInTerminal(substituteCommand(shell!, { attendee: alice.id, terminal: 'shell' }), "docker service ls --format 'svc={{.Name}}'; hostname; exit\r");
  assert.match(aliceOutput, /svc=pinger/);
  assert.match(aliceOutput, /^sandbox\r?$/m);
  const bobOutput = await runInTerminal(substituteCommand(shell!, { attendee: bob.id, terminal: 'shell' }), "docker service ls --format 'svc={{.Name}}'; echo done-$((6*7)); exit\r");
  assert.match(bobOutput, /done-42/);
  assert.doesNotMatch(bobOutput, /svc=pinger/);

  // Sandboxes are labelled, resource-limited services on the class swarm.
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  assert.equal(services.length, 2);
  for (const service of services) {
    assert.equal(service.Spec?.TaskTemplate?.Resources?.Limits?.MemoryBytes, 768 * 1024 ** 2);
    assert.equal((service.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } }).ContainerSpec?.Image?.split('@')[0], image.name);
  }

  assert.equal(await provider.down(alice), true);
  assert.equal(await provider.down(bob), true);
  assert.deepEqual(await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }), []);
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }), []);
  const volumes = await docker.listVolumes({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  assert.deepEqual(volumes.Volumes ?? [], []);
  assert.deepEqual((await provider.status([alice, bob])).map((s) => s.state), ['absent', 'absent']);
  process.stdout.write(`# sandbox image ${imageSeconds.toFixed(1)} s (${image.built ? 'built' : 'cached'}), two sandboxes up ${upSeconds.toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});
