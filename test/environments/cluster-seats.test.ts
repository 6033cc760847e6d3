// Warm seats holding clusters, the parts without an engine: a claim moves the seat's cluster keys into the attendee's
// folder with its host key (also when a stopped process moved half of them), and a claimed cluster's names follow its
// node1's service (the seat's), not the attendee's id, so that a node made again for the attendee joins the seat's
// network under the seat's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptSeatKeys } from '../../src/environments/warm-pool.ts';
import { asClusterNode, clusterNames, clusterNamesOf } from '../../src/engine/cluster-spec.ts';
import { sandboxNames, sandboxServiceSpec } from '../../src/engine/sandbox-spec.ts';

/** A seat's folder as its preparation leaves it: node1's host key (`ssh/`), the cluster's keys (`cluster/`), node2's launcher folder. */
function seatFolder(root: string, seat: string): void {
  for (const [file, content] of [
    ['ssh/host_ed25519_key', 'node1 host key'],
    ['cluster/cluster_ed25519', 'cluster key'],
    ['cluster/node2_host_ed25519_key', 'node2 host key'],
    ['cluster/known_hosts', 'seat node2 names'],
    ['node2/enter', 'the seat enters node2'],
  ] as const) {
    mkdirSync(join(root, seat, file, '..'), { recursive: true });
    writeFileSync(join(root, seat, file), content);
  }
}

test('a claim moves the cluster keys with the host key, and the seat folder goes (also after a stop half-way)', () => {
  const root = mkdtempSync(join(tmpdir(), 'labdeck-seat-keys-'));
  try {
    seatFolder(root, 'seat-1');
    adoptSeatKeys(root, 'seat-1', 'a-alice');
    assert.equal(readFileSync(join(root, 'a-alice', 'ssh', 'host_ed25519_key'), 'utf8'), 'node1 host key');
    assert.equal(readFileSync(join(root, 'a-alice', 'cluster', 'cluster_ed25519'), 'utf8'), 'cluster key');
    assert.equal(readFileSync(join(root, 'a-alice', 'cluster', 'known_hosts'), 'utf8'), 'seat node2 names');
    // The seat's way into node2 is not the attendee's: their preparation writes their own.
    assert.equal(existsSync(join(root, 'a-alice', 'node2')), false);
    assert.equal(existsSync(join(root, 'seat-1')), false);
    // A process stopped after moving `cluster/`: the next adoption moves the rest.
    seatFolder(root, 'seat-2');
    mkdirSync(join(root, 'a-bob'));
    renameSync(join(root, 'seat-2', 'cluster'), join(root, 'a-bob', 'cluster'));
    adoptSeatKeys(root, 'seat-2', 'a-bob');
    assert.equal(readFileSync(join(root, 'a-bob', 'ssh', 'host_ed25519_key'), 'utf8'), 'node1 host key');
    assert.equal(readFileSync(join(root, 'a-bob', 'cluster', 'cluster_ed25519'), 'utf8'), 'cluster key');
    assert.equal(existsSync(join(root, 'seat-2')), false);
    // Nothing left to adopt: nothing changes.
    adoptSeatKeys(root, 'seat-2', 'a-bob');
    assert.equal(readFileSync(join(root, 'a-bob', 'cluster', 'node2_host_ed25519_key'), 'utf8'), 'node2 host key');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a claimed cluster's names are its seat's: network, secrets and nodes follow node1's service", () => {
  const seatNode1 = sandboxNames('K7QX2P', 'seat-0badcafe').service;
  assert.equal(clusterNamesOf(seatNode1).keySecret, clusterNames('K7QX2P', 'seat-0badcafe').keySecret);
  assert.equal(clusterNamesOf(seatNode1).network, 'labdeck-sandbox-k7qx2p-seat-0badcafe-net');
  assert.equal(clusterNamesOf(seatNode1).node(3).service, 'labdeck-sandbox-k7qx2p-seat-0badcafe-node3');
  // A node made for Alice (hers now) in the seat's cluster is named after the seat's node1, on the seat's network.
  const alice = { classId: 'K7QX2P', attendee: 'a-alice', attendeeName: 'Alice' };
  const spec = sandboxServiceSpec({
    ...alice,
    image: 'labdeck/sandbox:latest',
    memoryBytes: 512 * 1024 ** 2,
    nanoCpus: 1e9,
    sshPort: 0,
    secrets: { authorizedKeys: { id: 'k', name: 'k' }, hostKey: { id: 'h', name: 'h' } },
  });
  const membership = {
    index: 3,
    nodes: 3,
    network: clusterNamesOf(seatNode1).network,
    service: seatNode1,
    secrets: { key: { id: 'c', name: 'c' }, knownHosts: { id: 'n', name: 'n' } },
  };
  const node3 = asClusterNode(spec, alice, membership) as {
    Name: string;
    Labels: Record<string, string>;
    TaskTemplate: { ContainerSpec: { Mounts: { Source?: string }[] } };
  };
  assert.equal(node3.Name, 'labdeck-sandbox-k7qx2p-seat-0badcafe-node3');
  assert.equal(node3.Labels['labdeck.attendee'], 'a-alice');
  assert.ok(node3.TaskTemplate.ContainerSpec.Mounts.some((mount) => mount.Source === 'labdeck-sandbox-k7qx2p-seat-0badcafe-node3-docker'));
});
