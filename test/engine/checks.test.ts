// Every engine check kind against the real engine and its swarm: the state is made true and false, and the result
// flips with the right reason. Resources carry a random suffix and are removed in `after`, even on failure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { evaluateCheck } from '../../src/checks/evaluate.ts';
import type { ProbeResult } from '../../src/checks/engine-state.ts';
import { probeFor } from '../../src/checks/probes.ts';
import { createCheckRunner } from '../../src/checks/runner.ts';
import type { CheckResult, CheckSpec, CheckStatus } from '../../src/checks/spec.ts';
import { connectEngine, describeEngine } from '../../src/engine/docker.ts';
import { execInContainer, runProbe } from '../../src/engine/exec.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { watchEngine, type EngineWatch } from '../../src/engine/snapshot.ts';
import { waitFor } from '../support/wait.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const id = Math.random().toString(36).slice(2, 8);
const names = {
  net: `lt-net-${id}`,
  net2: `lt-net2-${id}`,
  net3: `lt-net3-${id}`,
  web: `lt-web-${id}`,
  dbg: `lt-dbg-${id}`,
  stuck: `lt-stuck-${id}`,
  container: `lt-ctr-${id}`,
  secret: `lt-secret-${id}`,
  label: `lt-label-${id}`,
};
const image = 'labdeck/busybox:latest';
// Published on a port the swarm picks (it knows which are free across all services); read back once allocated.
let webPort = 0;
let watch: EngineWatch;
let selfNodeId = '';

async function evaluate(check: CheckSpec): Promise<CheckResult> {
  const snapshot = await watch.refresh();
  const probes = new Map<string, ProbeResult>();
  const collect = async (c: CheckSpec): Promise<void> => {
    if (c.kind === 'exec' || c.kind === 'dns') {
      const probe = probeFor(c);
      probes.set(probe.key, await runProbe(docker, probe));
    }
    if (c.kind === 'all' || c.kind === 'any') for (const inner of c.checks) await collect(inner);
    if (c.kind === 'not') await collect(c.check);
  };
  await collect(check);
  return evaluateCheck(check, snapshot, [], Date.now(), { probes });
}

/** Re-evaluates until the status is reached (convergence takes seconds): bounded, never a fixed sleep. */
async function until(check: CheckSpec, status: CheckStatus, timeoutMs = 30_000): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await evaluate(check);
    if (result.status === status) return result;
    if (Date.now() > deadline) assert.fail(`still ${result.status} after ${timeoutMs / 1000} s: ${result.reason}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function serviceSpec(name: string, replicas: number, extra: { constraints?: string[]; published?: boolean } = {}) {
  return {
    Name: name,
    Mode: { Replicated: { Replicas: replicas } },
    TaskTemplate: {
      // `sleep` as PID 1 ignores SIGTERM: without a short grace period each removal would wait 10 s.
      ContainerSpec: { Image: image, Command: ['sleep', '1000000'], StopGracePeriod: 100_000_000 },
      Networks: [{ Target: names.net }],
      Placement: { Constraints: extra.constraints ?? [] },
    },
    EndpointSpec: { Mode: 'vip', Ports: extra.published ? [{ TargetPort: 80, Protocol: 'tcp' }] : [] },
  };
}

async function quietly(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch {
    /* already gone */
  }
}

describe('checks against the real engine', () => {
  before(async () => {
    selfNodeId = (await describeEngine(docker)).nodeId;
    await ensureBusyboxImage(docker);
    watch = watchEngine(docker, { debounceMs: 50, pollIntervalMs: 250 });
    await docker.createNetwork({ Name: names.net, Driver: 'overlay', Attachable: true, CheckDuplicate: true });
    await Promise.all([
      docker.createService(serviceSpec(names.web, 2, { published: true }) as unknown as Docker.CreateServiceOptions),
      docker.createService(serviceSpec(names.dbg, 1, { constraints: ['node.role==manager'] }) as unknown as Docker.CreateServiceOptions),
      docker.createService(serviceSpec(names.stuck, 1, { constraints: [`node.labels.${names.label}==never`] }) as unknown as Docker.CreateServiceOptions),
    ]);
    let endpoint = '';
    webPort = await waitFor(
      async () => {
        const web = (await docker.getService(names.web).inspect()) as { Endpoint?: { Ports?: { PublishedPort?: number }[] } };
        endpoint = JSON.stringify(web.Endpoint);
        return web.Endpoint?.Ports?.[0]?.PublishedPort || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, describe: () => `the port the swarm published ${names.web} on; endpoint ${endpoint}` },
    );
  });

  after(async () => {
    for (const service of [names.web, names.dbg, names.stuck]) await quietly(() => docker.getService(service).remove());
    await quietly(() => docker.getContainer(names.container).remove({ force: true }));
    await quietly(() => docker.getSecret(names.secret).remove());
    await quietly(async () => {
      const node = await docker.getNode(selfNodeId).inspect();
      const labels = { ...node.Spec.Labels };
      delete labels[names.label];
      await docker.getNode(selfNodeId).update({ _query: { version: node.Version.Index }, _body: { ...node.Spec, Labels: labels } });
    });
    // Networks are released once the services' tasks are gone.
    for (const network of [names.net, names.net2, names.net3]) {
      for (let attempt = 0; attempt < 80; attempt++) {
        try {
          await docker.getNetwork(network).remove();
          break;
        } catch (problem) {
          if ((problem as { statusCode?: number }).statusCode === 404) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    watch?.dispose();
  });

  test('service: running tasks, replicas, image, networks, ports, constraints, mode, endpoint mode — and absent', async () => {
    const web: CheckSpec = {
      kind: 'service',
      name: names.web,
      running: 'desired',
      replicas: 2,
      image: 'labdeck/busybox',
      networks: [names.net],
      ports: [{ published: webPort, target: 80 }],
      mode: 'replicated',
      endpointMode: 'vip',
    };
    assert.equal((await until(web, 'passed')).reason, `service \`${names.web}\`: 2/2 tasks running`);
    assert.match(
      (await evaluate({ ...web, endpointMode: 'dnsrr', mode: 'global' })).reason,
      /mode is replicated, expected global; .*endpoint mode is vip, expected dnsrr/,
    );
    assert.match((await evaluate({ ...web, networks: ['ingress', names.net2] })).reason, new RegExp(`not attached to network \`${names.net2}\` \\(no such network\\)`));
    assert.equal((await until({ kind: 'service', name: names.dbg, running: 1, constraints: ['node.role == manager'] }, 'passed')).status, 'passed');

    // Make it false: scale web to 3. The spec changes at once; tasks follow.
    const service = docker.getService(names.web);
    const current = await service.inspect();
    await service.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Mode: { Replicated: { Replicas: 3 } } } } as never);
    assert.equal((await evaluate(web)).reason, `service \`${names.web}\`: 3 replicas desired, expected 2`);
    assert.equal((await until({ ...web, replicas: 3 }, 'passed')).reason, `service \`${names.web}\`: 3/3 tasks running`);

    // A service that cannot be scheduled says why.
    const stuck = await evaluate({ kind: 'service', name: names.stuck, running: 'desired' });
    assert.notEqual(stuck.status, 'passed');
    assert.match(stuck.reason, new RegExp(`service \`${names.stuck}\`: 0/1 tasks running`));
    await until({ kind: 'service', name: names.stuck, running: 'desired' }, 'pending', 10_000).then((r) => assert.match(r.reason, /no suitable node/));

    await docker.getService(names.stuck).remove();
    assert.equal((await until({ kind: 'service', name: names.stuck, absent: true }, 'passed')).reason, `service \`${names.stuck}\` does not exist`);
    assert.equal((await evaluate({ kind: 'service', name: names.stuck })).reason, `service \`${names.stuck}\` does not exist`);
  });

  test('dns: a service name resolves to one VIP, tasks.<name> to one address per task', async () => {
    await until({ kind: 'service', name: names.dbg, running: 1 }, 'passed');
    await until({ kind: 'service', name: names.web, running: 'desired' }, 'passed');
    const replicas = (await watch.refresh()).services.find((s) => s.name === names.web)!.replicas!;
    const vip = await until({ kind: 'dns', target: { service: names.dbg }, name: names.web, addresses: 1 }, 'passed');
    assert.match(vip.reason, new RegExp(`\`${names.web}\` resolves to 1 address in service \`${names.dbg}\``));
    await until({ kind: 'dns', target: { service: names.dbg }, name: `tasks.${names.web}`, addresses: replicas }, 'passed');
    const wrong = await evaluate({ kind: 'dns', target: { service: names.dbg }, name: `tasks.${names.web}`, addresses: replicas + 2 });
    assert.equal(wrong.status, 'failed');
    assert.match(wrong.reason, new RegExp(`resolves to ${replicas} addresses .* expected ${replicas + 2}`));
    assert.equal((await evaluate({ kind: 'dns', target: { service: names.dbg }, name: `nope-${id}`, addresses: { min: 1 } })).status, 'failed');
  });

  test('container and exec: running by label, a command inside it succeeds or not, and why', async () => {
    const labels = { 'org.labdeck.test': id };
    const running: CheckSpec = { kind: 'container', labels };
    assert.equal((await evaluate(running)).reason, `no running container with org.labdeck.test=${id} on this engine`);
    const container = await docker.createContainer({
      name: names.container,
      Image: image,
      Cmd: ['sleep', '1000000'],
      Labels: labels,
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    assert.equal((await until(running, 'passed')).reason, `1 container running with org.labdeck.test=${id}`);

    const exec: CheckSpec = { kind: 'exec', target: { labels }, command: 'cat /tmp/marker', output: '^ready' };
    assert.match((await evaluate(exec)).reason, /^`cat \/tmp\/marker` exited with 1 in container with org\.labdeck\.test=.*No such file/);
    await execInContainer(docker, container.id, ['sh', '-c', 'echo not yet > /tmp/marker']);
    assert.match((await evaluate(exec)).reason, /does not match \/\^ready\//);
    const slow = await execInContainer(docker, container.id, ['sh', '-c', 'sleep 0.3; echo ready > /tmp/marker; exit 3']);
    assert.deepEqual(slow, { exitCode: 3, output: '' }, 'the exit code is read only once the command has finished');
    assert.equal((await evaluate(exec)).status, 'passed');

    await container.stop({ t: 0 });
    assert.equal((await until(running, 'failed')).reason, `no running container with org.labdeck.test=${id} on this engine (1 not running)`);
    assert.equal((await evaluate({ kind: 'container', labels, running: false })).status, 'passed');
    assert.equal((await evaluate(exec)).reason, `no running container with org.labdeck.test=${id} on this engine`);
  });

  test('network: exists, driver, scope, attachable — and absent', async () => {
    assert.equal((await evaluate({ kind: 'network', name: names.net, driver: 'overlay', scope: 'swarm', attachable: true })).status, 'passed');
    assert.equal((await evaluate({ kind: 'network', name: names.net, attachable: false })).reason, `network \`${names.net}\`: is attachable`);
    assert.equal((await evaluate({ kind: 'network', name: names.net2 })).reason, `network \`${names.net2}\` does not exist`);
    await docker.createNetwork({ Name: names.net2, Driver: 'overlay', CheckDuplicate: true });
    assert.equal(
      (await evaluate({ kind: 'network', name: names.net2, attachable: true })).reason,
      `network \`${names.net2}\`: is not attachable (create it with \`--attachable\`)`,
    );
    await docker.getNetwork(names.net2).remove();
    assert.equal((await evaluate({ kind: 'network', name: names.net2, absent: true })).status, 'passed');
  });

  test("node: role, availability, labels on this engine's node", async () => {
    assert.equal((await evaluate({ kind: 'node', self: true, role: 'manager', availability: 'active' })).status, 'passed');
    assert.equal((await evaluate({ kind: 'node', count: { min: 1 }, role: 'manager' })).status, 'passed');
    const labelled: CheckSpec = { kind: 'node', self: true, labels: { [names.label]: 'yes' } };
    assert.equal((await evaluate(labelled)).reason, `this engine: lacks label ${names.label}=yes`);
    const node = await docker.getNode(selfNodeId).inspect();
    await docker.getNode(selfNodeId).update({ _query: { version: node.Version.Index }, _body: { ...node.Spec, Labels: { ...node.Spec.Labels, [names.label]: 'yes' } } });
    assert.equal((await evaluate(labelled)).status, 'passed');
  });

  test('secret: exists and absent', async () => {
    assert.equal((await evaluate({ kind: 'secret', name: names.secret })).reason, `secret \`${names.secret}\` does not exist`);
    await docker.createSecret({ Name: names.secret, Data: Buffer.from('s3cr3t').toString('base64') });
    assert.equal((await evaluate({ kind: 'secret', name: names.secret })).status, 'passed');
    await docker.getSecret(names.secret).remove();
    assert.equal((await evaluate({ kind: 'secret', name: names.secret, absent: true })).status, 'passed');
  });

  test('the runner hears changes through the events stream, without being asked', async () => {
    const runner = createCheckRunner({
      checks: [{ stepId: 'net3', check: { kind: 'network', name: names.net3 }, origin: { how: 'inferred', command: 'docker network create', file: 'x.md', line: 1 } }],
      engine: watch,
      probe: (probe) => runProbe(docker, probe),
    });
    try {
      await watch.refresh();
      assert.equal(runner.result('net3')!.status, 'failed');
      const passed = new Promise<number>((resolve) =>
        runner.onResult((r) => {
          if (r.status === 'passed') resolve(Date.now());
        }),
      );
      const calls = watch.apiCalls;
      const start = Date.now();
      await docker.createNetwork({ Name: names.net3, Driver: 'overlay', CheckDuplicate: true });
      const latency = (await Promise.race([passed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no result from events')), 5000))])) - start;
      assert.ok(latency < 2000, `result after ${latency} ms`);
      assert.ok(watch.apiCalls - calls <= 16, `${watch.apiCalls - calls} API calls for one change`);
    } finally {
      runner.dispose();
    }
  });
});
