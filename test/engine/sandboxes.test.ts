// The swarm environment provider on the real engine: two attendees get two sandboxes (swarm services, each with its
// own Docker engine), whose swarms are independent; both ways in go over ssh, as they would from another node: an
// attendee's terminal command runs inside their sandbox, and their checks' engine watch (started before the sandbox
// exists, as when an attendee joins) sees what happens in it; `down` leaves no service, secret, container or volume
// behind. The sandbox image is built the first time only (about 70-120 s with debootstrap) and then reused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInTerminal } from '../support/class-sandboxes.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt, currentHost } from '../../src/engine/engine-address.ts';
import { execInContainer, findContainer } from '../../src/engine/exec.ts';
import { watchEngine } from '../../src/engine/snapshot.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage, SANDBOX_IMAGE } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';
import { IDLE_CHANNEL_MS } from '../../src/engine/ssh-dial-agent.ts';
import { imageLabel } from '../../src/engine/swarm-nodes.ts';
import { ensureService, ensureSwarm, waitForServices } from '../../src/engine/services.ts';
import { createSwarmProvider } from '../../src/environments/swarm-provider.ts';
import type { AttendeeRef } from '../../src/environments/provider.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { acceptedConnections } from '../support/sandbox-logins.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const root = mkdtempSync(join(tmpdir(), 'labdeck-sandboxes-'));
const classId = `t${Date.now().toString(36)}`;
const alice: AttendeeRef = { id: 'a-alice1', name: 'Alice' };
const bob: AttendeeRef = { id: 'a-bob2', name: 'Bob' };
const lines: string[] = [];
const provider = createSwarmProvider({
  docker,
  classId,
  root,
  log: (line) => lines.push(line),
  config: { provider: 'swarm', memoryBytes: 768 * 1024 ** 2, nanoCpus: 1e9, images: ['labdeck/busybox:latest'], location: { file: 'workshop.yml', line: 1 } },
});

after(async () => {
  await Promise.all([provider.down(alice), provider.down(bob)]).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

// Building the image (first run on a machine only) gets its own budget: debootstrap's time depends on the mirror
// and on what else the machine is doing; the test's own budget is for the sandboxes.
let image: Awaited<ReturnType<typeof ensureSandboxImage>>;
let imageSeconds = 0;
before(
  async () => {
    const started = Date.now();
    await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
    image = await ensureSandboxImage(docker, {
      log: (line) => {
        if (!/^I: (Retriev|Validat|Extract|Unpack|Configur|Check|Found)/.test(line)) process.stdout.write(`# ${line}\n`);
      },
    });
    imageSeconds = (Date.now() - started) / 1000;
  },
  { timeout: 900_000 },
);

test('swarm provider: independent sandboxes per attendee, terminals inside, nothing left after down', { timeout: 240_000 }, async () => {
  const started = Date.now();

  // Alice's checks watch her engine from the moment she joins: it has no address yet, then the sandbox's.
  const aliceWatch = watchEngine(connectEngineAt(provider.engineOf(alice.id)!), { reconnectMaxMs: 1000 });
  try {
    assert.equal(currentHost(provider.engineOf(alice.id)!), undefined);
    await Promise.all([provider.up(alice), provider.up(bob)]);
    await checkSandboxes(aliceWatch);
  } finally {
    aliceWatch.dispose();
  }
  process.stdout.write(`# sandbox image ${imageSeconds.toFixed(1)} s (${image.built ? 'built' : 'cached'}), total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

/**
 * Engine requests over ssh share one connection and reuse its channels: fifty requests, thirty of them at once, and
 * twelve exec probes at once (each holds a channel of its own, more than sshd's MaxSessions in all) cost one ssh
 * login. And a command line that used the engine exits when its requests are done, not when its idle channels
 * time out.
 */
async function checkSharedSshConnection(): Promise<void> {
  const address = provider.engineOf(alice.id)!;
  const before = await acceptedConnections(docker, classId, alice.id);
  const engine = connectEngineAt(address);
  const versions = await Promise.all(Array.from({ length: 30 }, () => engine.version()));
  assert.equal(new Set(versions.map((version) => version.ApiVersion)).size, 1);
  for (let i = 0; i < 20; i++) await engine.ping();
  const container = await findContainer(engine, { service: 'pinger' });
  assert.ok(container, 'the pinger service has a running container');
  const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => execInContainer(engine, container, ['sh', '-c', `echo probe-${i}; exit ${i}`])));
  assert.deepEqual(
    outcomes.map((outcome) => [outcome.exitCode, outcome.output]),
    outcomes.map((_, i) => [i, `probe-${i}\n`]),
  );
  assert.equal((await acceptedConnections(docker, classId, alice.id)) - before, 1, 'one ssh login for all those engine requests');

  const script = `import { connectEngineAt } from ${JSON.stringify(new URL('../../src/engine/engine-address.ts', import.meta.url).href)};
const engine = connectEngineAt(${JSON.stringify(address)});
await Promise.all([engine.ping(), engine.version(), engine.info()]);
process.stdout.write(String(Date.now()));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
  const lingered = Date.now() - Number(stdout);
  assert.ok(lingered < IDLE_CHANNEL_MS / 2, `the process lingered ${lingered} ms after its last engine request`);
}

/**
 * A prepared machine's `ssh://` engine (the `external` provider) is logged in to as the user's own ssh would; Alice's
 * sandbox stands for the machine. With the key file, or through a real ssh-agent holding the key; the host key must
 * be in known_hosts (names hashed by ssh-keygen -H), and an unknown or a different one is refused, saying why.
 */
async function checkUserSshLogin(): Promise<void> {
  const sandbox = provider.engineOf(alice.id)!;
  const host = currentHost(sandbox)!;
  const { hostname, port } = new URL(host);
  const folder = mkdtempSync(join(root, 'user-ssh-'));
  const knownHosts = (name: string, keyFile: string): string => {
    const path = join(folder, name);
    writeFileSync(path, `[${hostname}]:${port} ${readFileSync(keyFile, 'utf8').trim()}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path]);
    return path;
  };
  const recorded = knownHosts('known_hosts', sandbox.ssh!.hostKey);
  const withKeyFile = connectEngineAt({ host, userSsh: { identities: [join(folder, 'id_absent'), sandbox.ssh!.identity], knownHosts: [recorded] } });
  assert.equal(String(await withKeyFile.ping()), 'OK');

  const agentSocket = join(folder, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  try {
    for (let waited = 0; !existsSync(agentSocket); waited += 50) {
      assert.ok(waited < 5000, 'ssh-agent did not open its socket');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    execFileSync('ssh-add', ['-q', sandbox.ssh!.identity], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });
    const throughAgent = connectEngineAt({ host, userSsh: { agentSocket, identities: [], knownHosts: [recorded] } });
    assert.equal(String(await throughAgent.ping()), 'OK');
  } finally {
    agent.kill();
  }

  const bobsKey = knownHosts('known_hosts_other', provider.engineOf(bob.id)!.ssh!.hostKey);
  const impostor = connectEngineAt({ host, userSsh: { identities: [sandbox.ssh!.identity], knownHosts: [bobsKey] } });
  await assert.rejects(impostor.ping(), /host key of \[[\d.]+\]:\d+ is not the one in known_hosts/);
  const unknown = connectEngineAt({ host, userSsh: { identities: [sandbox.ssh!.identity], knownHosts: [join(folder, 'none')] } });
  await assert.rejects(unknown.ping(), /host key of \[[\d.]+\]:\d+ is unknown/);

  // DOCKER_HOST=ssh://… for the command line takes the same way: `labdeck check` against the sandbox's engine.
  type Report = { status: string; reason: string }[];
  const trusted = await runLabdeck(['check', '--json'], { dockerHost: host, userSsh: { identities: [sandbox.ssh!.identity], knownHosts: [recorded] } });
  const trustedReport = JSON.parse(trusted.stdout) as Report;
  assert.ok(trustedReport.length > 0 && !trustedReport.some((step) => /engine unreachable/.test(step.reason)), trusted.stdout);
  const refused = await runLabdeck(['check', '--json'], { dockerHost: host, userSsh: { identities: [sandbox.ssh!.identity], knownHosts: [bobsKey] } });
  assert.ok(
    (JSON.parse(refused.stdout) as Report).some((step) => /engine unreachable: the host key of \[[\d.]+\]:\d+ is not the one in known_hosts/.test(step.reason)),
    refused.stdout,
  );
}

async function checkSandboxes(aliceWatch: ReturnType<typeof watchEngine>): Promise<void> {
  const status = await provider.status([alice, bob]);
  assert.deepEqual(status.map((s) => [s.attendee.id, s.state]).sort(), [
    ['a-alice1', 'ready'],
    ['a-bob2', 'ready'],
  ]);

  // Both engines are reached over ssh, each at its node's address and its own port, with the class key.
  const hosts = [alice, bob].map((attendee) => currentHost(provider.engineOf(attendee.id)!) ?? '');
  for (const host of hosts) assert.match(host, /^ssh:\/\/root@[\d.]+:22\d\d$/);
  assert.notEqual(hosts[0], hosts[1]);
  assert.equal(statSync(provider.engineOf(alice.id)!.ssh!.identity).mode & 0o077, 0);

  // Each inner engine becomes its own single-node swarm; a service made in Alice's is absent from Bob's.
  const inner = { alice: connectEngineAt(provider.engineOf(alice.id)!), bob: connectEngineAt(provider.engineOf(bob.id)!) };
  const [aliceSwarm, bobSwarm] = await Promise.all([ensureSwarm(inner.alice, 'org.labdeck.test'), ensureSwarm(inner.bob, 'org.labdeck.test')]);
  assert.equal(aliceSwarm, 'initialised');
  assert.equal(bobSwarm, 'initialised');
  const [aliceInfo, bobInfo] = (await Promise.all([inner.alice.info(), inner.bob.info()])) as { Swarm: { Cluster: { ID: string } } }[];
  assert.notEqual(aliceInfo!.Swarm.Cluster.ID, bobInfo!.Swarm.Cluster.ID);
  await ensureService(inner.alice, {
    name: 'pinger',
    image: 'labdeck/busybox:latest',
    replicas: 1,
    command: ['sleep', '3600'],
    networks: [],
    labels: {},
    endpointMode: 'vip',
  });
  await waitForServices(inner.alice, ['pinger'], 60_000);
  assert.deepEqual(
    (await inner.alice.listServices()).map((s) => s.Spec?.Name),
    ['pinger'],
  );
  assert.deepEqual(await inner.bob.listServices(), []);
  // Alice's checks see it: her watch follows her sandbox's engine, over ssh.
  const deadline = Date.now() + 20_000;
  while (!aliceWatch.current.services.some((service) => service.name === 'pinger')) {
    assert.ok(Date.now() < deadline, `Alice's engine watch never saw her service: ${JSON.stringify(aliceWatch.current.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(aliceWatch.current.swarm, 'active');
  assert.equal(aliceWatch.listening, true);
  await checkSharedSshConnection();
  await checkUserSshLogin();

  // The terminal command runs inside the attendee's sandbox (entered with ssh): its docker CLI talks to the inner engine.
  const [shell] = Object.values(provider.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } }]));
  const aliceOutput = await runInTerminal(
    substituteCommand(shell!, { attendee: alice.id, terminal: 'shell' }),
    "docker service ls --format 'svc={{.Name}}'; hostname; exit\r",
  );
  assert.match(aliceOutput, /svc=pinger/);
  assert.match(aliceOutput, /^sandbox\r?$/m);
  assert.match(readFileSync(join(root, alice.id, 'enter'), 'utf8'), /^exec 'ssh' .*'StrictHostKeyChecking=yes'.* 'root@[\d.]+' "\$@"$/m);
  // Only the class key gets in, and no password is even asked for.
  const strangerKey = join(root, 'stranger_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
  const { port, hostname } = new URL(hosts[0]!);
  const stranger = spawnSync(
    'ssh',
    [
      '-F',
      'none',
      '-i',
      strangerKey,
      '-p',
      port,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      `root@${hostname}`,
      'true',
    ],
    { encoding: 'utf8', timeout: 15_000 },
  );
  assert.equal(stranger.status, 255);
  assert.match(stranger.stderr, /Permission denied \(publickey\)/);
  const bobOutput = await runInTerminal(
    substituteCommand(shell!, { attendee: bob.id, terminal: 'shell' }),
    "docker service ls --format 'svc={{.Name}}'; echo done-$((6*7)); exit\r",
  );
  assert.match(bobOutput, /done-42/);
  assert.doesNotMatch(bobOutput, /svc=pinger/);

  // Sandboxes are labelled, resource-limited services on the class swarm, free to run on any of its nodes that
  // holds the sandbox image (labdeck labels the nodes it gave the image to: here the one node, this engine's).
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  assert.equal(services.length, 2);
  for (const service of services) {
    assert.equal(service.Spec?.TaskTemplate?.Resources?.Limits?.MemoryBytes, 768 * 1024 ** 2);
    assert.equal((service.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined)?.ContainerSpec?.Image?.split('@')[0], SANDBOX_IMAGE);
    assert.equal(service.Spec?.TaskTemplate?.Resources?.Reservations?.MemoryBytes, 768 * 1024 ** 2);
    assert.deepEqual(service.Spec?.TaskTemplate?.Placement?.Constraints, [`node.labels.${imageLabel(image.id)}==ready`]);
    assert.equal(service.Spec?.EndpointSpec?.Ports?.[0]?.PublishMode, 'host');
  }
  const classFilter = { filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } };
  assert.equal((await docker.listSecrets(classFilter)).length, 4);

  assert.equal(await provider.down(alice), true);
  assert.equal(await provider.down(bob), true);
  assert.deepEqual(await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }), []);
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }), []);
  const volumes = await docker.listVolumes({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  assert.deepEqual(volumes.Volumes ?? [], []);
  assert.deepEqual(await docker.listSecrets(classFilter), []);
  assert.deepEqual(
    (await provider.status([alice, bob])).map((s) => s.state),
    ['absent', 'absent'],
  );
}
