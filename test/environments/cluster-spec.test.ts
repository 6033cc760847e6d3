// An attendee's cluster as data: node1 stays "the" sandbox (its name, port and volume), nodes 2…N are sandboxes of
// their own on the attendee's network; every node is named, aliased and given the cluster's ssh secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asClusterNode, clusterKnownHosts, clusterNames, clusterNodeStartScript, isOtherClusterNode } from '../../src/engine/cluster-spec.ts';
import { sandboxNames, sandboxServiceSpec } from '../../src/engine/sandbox-spec.ts';
import { nodeSshCommand } from '../../src/environments/cluster-access.ts';
import { launcherTemplate } from '../../src/environments/launcher.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';

const definition = {
  classId: 'K7QX2P',
  attendee: 'a-0123abcd',
  attendeeName: 'Zoë',
  image: 'labdeck/sandbox:latest',
  memoryBytes: 512 * 1024 ** 2,
  nanoCpus: 1e9,
  sshPort: 2203,
  secrets: { authorizedKeys: { id: 's1', name: 'keys' }, hostKey: { id: 's2', name: 'hostkey' } },
};
const membership = (index: number) => ({
  index,
  nodes: 3,
  network: clusterNames('K7QX2P', 'a-0123abcd').network,
  secrets: { key: { id: 's3', name: 'ckey' }, knownHosts: { id: 's4', name: 'known' } },
});

test("node1 of a cluster is the attendee's sandbox, named node1 on their network, its ssh port published", () => {
  const spec = asClusterNode(sandboxServiceSpec(definition), definition, membership(1)) as any;
  assert.equal(spec.Name, sandboxNames('K7QX2P', 'a-0123abcd').service);
  assert.equal(spec.Labels['labdeck.node'], 'node1');
  assert.equal(spec.Labels['labdeck.attendee'], 'a-0123abcd');
  assert.equal(spec.TaskTemplate.ContainerSpec.Hostname, 'node1');
  assert.deepEqual(spec.TaskTemplate.Networks, [{ Target: 'labdeck-sandbox-k7qx2p-a-0123abcd-net', Aliases: ['node1'] }]);
  assert.equal(spec.EndpointSpec.Ports[0].PublishedPort, 2203);
  assert.equal(spec.TaskTemplate.ContainerSpec.Mounts.find((m: any) => m.Target === '/var/lib/docker').Source, 'labdeck-sandbox-k7qx2p-a-0123abcd-docker');
  assert.deepEqual(
    spec.TaskTemplate.ContainerSpec.Secrets.map((s: any) => [s.SecretName, s.File.Name, s.File.Mode]),
    [
      ['keys', 'labdeck-authorized-keys', 0o400],
      ['hostkey', 'labdeck-host-key', 0o400],
      ['ckey', 'labdeck-cluster-key', 0o400],
      ['known', 'labdeck-cluster-known-hosts', 0o400],
    ],
  );
  assert.equal(isOtherClusterNode(spec.Labels), false);
});

test('node2 of a cluster: a sandbox of its own, no port, no virtual IP, found through its cluster only', () => {
  const spec = asClusterNode(sandboxServiceSpec({ ...definition, sshPort: 0 }), definition, membership(2)) as any;
  assert.equal(spec.Name, 'labdeck-sandbox-k7qx2p-a-0123abcd-node2');
  assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr' });
  assert.equal(spec.TaskTemplate.ContainerSpec.Hostname, 'node2');
  assert.deepEqual(spec.TaskTemplate.Networks[0].Aliases, ['node2']);
  const volume = spec.TaskTemplate.ContainerSpec.Mounts.find((m: any) => m.Target === '/var/lib/docker');
  assert.equal(volume.Source, 'labdeck-sandbox-k7qx2p-a-0123abcd-node2-docker');
  assert.equal(volume.VolumeOptions.Labels['labdeck.node'], 'node2');
  assert.equal(isOtherClusterNode(spec.Labels), true);
  assert.equal(isOtherClusterNode({ 'labdeck.attendee': 'a' }), false);
  assert.equal(clusterNames('K7QX2P', 'a-0123abcd').node(2).hostKeySecret, 'labdeck-sandbox-k7qx2p-a-0123abcd-node2-hostkey');
});

test("ssh between the nodes: the cluster's key and the nodes' known host keys, for the cluster's names only", () => {
  const script = clusterNodeStartScript(3);
  assert.match(script, /'Host node1 node2 node3'/);
  assert.match(script, /'  StrictHostKeyChecking yes'/);
  assert.match(script, /'  UserKnownHostsFile \/run\/secrets\/labdeck-cluster-known-hosts'/);
  assert.match(script, /exec \/usr\/local\/bin\/labdeck-sandbox$/);
  // A node has two interfaces (the attendee's network, eth0, and the gateway bridge): the engine advertises eth0 by
  // default, so the decks' plain `docker swarm init` works as on container.training's one-interface VMs.
  assert.match(script, /"swarm-default-advertise-addr": "eth0"/);
  assert.match(script, /\/etc\/docker\/daemon\.json/);
  assert.equal(clusterKnownHosts(['ssh-ed25519 AAA1 comment', 'ssh-ed25519 AAA2']), 'node1 ssh-ed25519 AAA1\nnode2 ssh-ed25519 AAA2\n');
});

test("a terminal on node2 waits in its node's folder and enters through node1, trusting node2's key only", () => {
  const argv = substituteCommand(launcherTemplate('/data/env', ['bash', '-l'], 'node2'), { attendee: 'a-1', terminal: 't' });
  assert.deepEqual(argv.slice(4), ['/data/env', 'a-1/node2', 'bash', '-l']);
  assert.equal(substituteCommand(launcherTemplate('/data/env', ['bash'], 'node1'), { attendee: 'a-1', terminal: 't' })[5], 'a-1');
  const node1 = ['ssh', '-F', 'none', '-i', '/d/100%/key', '-p', '2203', '-o', 'HostKeyAlias=svc', 'root@10.0.0.5'];
  const command = nodeSshCommand(node1, 'node2', 'svc-node2', { identity: '/d/100%/key', knownHosts: '/d/known' });
  assert.equal(command.at(-1), 'root@node2');
  assert.ok(command.includes('HostKeyAlias=svc-node2'));
  assert.ok(command.includes('StrictHostKeyChecking=yes'));
  assert.ok(
    command.includes("ProxyCommand='ssh' '-F' 'none' '-i' '/d/100%%/key' '-p' '2203' '-o' 'HostKeyAlias=svc' '-W' 'node2:22' 'root@10.0.0.5'"),
    command.join(' '),
  );
});
