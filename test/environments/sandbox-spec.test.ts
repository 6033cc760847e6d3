import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_SECRET_FILES, sandboxNames, sandboxServiceSpec } from '../../src/engine/sandbox-spec.ts';

const definition = {
  classId: 'K7QX2P',
  attendee: 'a-0123abcd',
  attendeeName: 'Zoë <b>',
  image: 'labdeck/sandbox:latest',
  memoryBytes: 1024 ** 3,
  nanoCpus: 1.5e9,
  sshPort: 2203,
  secrets: { authorizedKeys: { id: 'sec1', name: 'keys' }, hostKey: { id: 'sec2', name: 'hostkey' } },
};

test('a sandbox is a labelled, resource-limited, spread swarm service with its own engine storage', () => {
  const spec = sandboxServiceSpec(definition) as any;
  assert.equal(spec.Name, 'labdeck-sandbox-k7qx2p-a-0123abcd');
  assert.deepEqual(spec.Labels, { 'labdeck.sandbox': 'K7QX2P', 'labdeck.attendee': 'a-0123abcd', 'labdeck.attendee-name': 'Zoë <b>' });
  assert.deepEqual(spec.TaskTemplate.ContainerSpec.Labels, spec.Labels);
  assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
  // The memory it may use is reserved: the swarm places a sandbox only where that much is free (admission).
  assert.deepEqual(spec.TaskTemplate.Resources, { Limits: { MemoryBytes: 1024 ** 3, NanoCPUs: 1.5e9 }, Reservations: { MemoryBytes: 1024 ** 3 } });
  // Any node of the class swarm: nothing pins a sandbox to the node labdeck runs on.
  assert.deepEqual(spec.TaskTemplate.Placement, { Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }] });
});

test('a sandbox goes only to nodes labdeck gave its image to (no registry to pull it from)', () => {
  const spec = sandboxServiceSpec({ ...definition, requiredNodeLabel: 'labdeck.image.0fb069932151' }) as any;
  assert.deepEqual(spec.TaskTemplate.Placement, {
    Constraints: ['node.labels.labdeck.image.0fb069932151==ready'],
    Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }],
  });
});

test('a sandbox is reached over ssh: its port published in host mode, its keys as root-only secrets', () => {
  const spec = sandboxServiceSpec(definition) as any;
  assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 22, PublishedPort: 2203, PublishMode: 'host' }] });
  assert.deepEqual(spec.TaskTemplate.ContainerSpec.Secrets, [
    { SecretID: 'sec1', SecretName: 'keys', File: { Name: SANDBOX_SECRET_FILES.authorizedKeys, UID: '0', GID: '0', Mode: 0o400 } },
    { SecretID: 'sec2', SecretName: 'hostkey', File: { Name: SANDBOX_SECRET_FILES.hostKey, UID: '0', GID: '0', Mode: 0o400 } },
  ]);
});

test('a sandbox gets what Docker-in-Docker needs as a service: capabilities, cgroups, a volume, tmpfs /run', () => {
  const container = (sandboxServiceSpec(definition) as any).TaskTemplate.ContainerSpec;
  assert.deepEqual(container.CapabilityAdd, ['ALL']);
  assert.deepEqual(container.CapabilityDrop, ['CAP_SYS_RESOURCE']);
  assert.equal(container.Privileged, undefined);
  const mounts = Object.fromEntries(container.Mounts.map((m: any) => [m.Target, m]));
  assert.deepEqual(mounts['/sys/fs/cgroup'], { Type: 'bind', Source: '/sys/fs/cgroup', Target: '/sys/fs/cgroup', ReadOnly: false });
  assert.equal(mounts['/var/lib/docker'].Type, 'volume');
  assert.equal(mounts['/var/lib/docker'].Source, sandboxNames('K7QX2P', 'a-0123abcd').volume);
  assert.equal(mounts['/var/lib/docker'].VolumeOptions.Labels['labdeck.sandbox'], 'K7QX2P');
  assert.deepEqual(mounts['/run'], { Type: 'tmpfs', Target: '/run' });
  assert.equal(container.Mounts.length, 3);
});

test('sandbox names: one service, one volume and two secrets per class and attendee', () => {
  assert.deepEqual(sandboxNames('ABC234', 'a-1'), {
    service: 'labdeck-sandbox-abc234-a-1',
    volume: 'labdeck-sandbox-abc234-a-1-docker',
    authorizedKeysSecret: 'labdeck-sandbox-abc234-a-1-keys',
    hostKeySecret: 'labdeck-sandbox-abc234-a-1-hostkey',
  });
  assert.notEqual(sandboxNames('ABC234', 'a-1').service, sandboxNames('ABC235', 'a-1').service);
});
