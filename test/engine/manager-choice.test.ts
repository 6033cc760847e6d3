// Which engine of an attendee's cluster the checks read (engine/manager-choice.ts): node1 while it is a manager of
// the inner swarm, else the leader, else another manager; and when to look again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEngine, lookCall, retryDelay, type LookCall, type NodeAnswer } from '../../src/engine/manager-choice.ts';
import { UNKNOWN_SNAPSHOT, type EngineSnapshot, type NodeState } from '../../src/checks/engine-state.ts';

const manager = (index: number, nodeId: string, leader?: string): NodeAnswer => ({
  index,
  swarm: { state: 'active', nodeId, manager: true, ...(leader ? { leaderId: leader } : {}) },
});
const worker = (index: number, nodeId: string): NodeAnswer => ({ index, swarm: { state: 'active', nodeId, manager: false } });
const inactive = (index: number): NodeAnswer => ({ index, swarm: { state: 'inactive', nodeId: '', manager: false } });
const silent = (index: number): NodeAnswer => ({ index });

test('node1 is read while it is a manager, leader or not', () => {
  assert.equal(chooseEngine([manager(0, 'n1', 'n2'), manager(1, 'n2', 'n2'), worker(2, 'n3')]), 0);
});

test('node1 demoted or gone: the leader is read, as its managers name it', () => {
  assert.equal(chooseEngine([worker(0, 'n1'), manager(1, 'n2', 'n3'), manager(2, 'n3', 'n3')]), 2);
  assert.equal(chooseEngine([inactive(0), worker(1, 'n2'), manager(2, 'n3', 'n3')]), 2);
  assert.equal(chooseEngine([silent(0), manager(1, 'n2', 'n2'), worker(2, 'n3')]), 1);
});

test('no leader known: the first manager that answered; no manager at all: node1', () => {
  assert.equal(chooseEngine([worker(0, 'n1'), worker(1, 'n2'), manager(2, 'n3')]), 2);
  assert.equal(chooseEngine([worker(0, 'n1'), manager(1, 'n2', 'gone'), manager(2, 'n3', 'gone')]), 1);
  assert.equal(chooseEngine([inactive(0), inactive(1), silent(2)]), 0);
  assert.equal(chooseEngine([]), 0);
});

const node = (id: string, hostname: string, role: NodeState['role'], state = 'ready'): NodeState => ({ id, hostname, role, availability: 'active', state, labels: {} });
const snapshot = (fields: Partial<EngineSnapshot>): EngineSnapshot => ({ ...UNKNOWN_SNAPSHOT, reachable: true, takenAt: 1, ...fields });

test('looked for again when the engine read is no manager, or does not answer', () => {
  const home = { watchingHome: true, homeNodeId: 'n1' };
  assert.equal(lookCall(snapshot({ swarm: 'active', isManager: true, selfNodeId: 'n1' }), home), undefined);
  assert.equal(lookCall(snapshot({ swarm: 'active', isManager: false, selfNodeId: 'n1' }), home), 'no-manager');
  assert.equal(lookCall(snapshot({ swarm: 'inactive' }), home), 'no-manager');
  assert.equal(lookCall({ ...UNKNOWN_SNAPSHOT, error: 'connection refused', takenAt: 2 }, { watchingHome: false, homeNodeId: 'n1' }), 'no-manager');
  // Not before the first read: there is nothing to go by yet.
  assert.equal(lookCall(UNKNOWN_SNAPSHOT, home), undefined);
});

test('while another node is read, node1 back as a ready manager brings the checks home', () => {
  const away = { watchingHome: false, homeNodeId: 'n1' };
  const nodes = (role: NodeState['role'], state = 'ready') => [node('n1', 'node1', role, state), node('n2', 'node2', 'manager')];
  assert.equal(lookCall(snapshot({ swarm: 'active', isManager: true, selfNodeId: 'n2', nodes: nodes('worker') }), away), undefined);
  assert.equal(lookCall(snapshot({ swarm: 'active', isManager: true, selfNodeId: 'n2', nodes: nodes('manager', 'down') }), away), undefined);
  assert.equal(lookCall(snapshot({ swarm: 'active', isManager: true, selfNodeId: 'n2', nodes: nodes('manager') }), away), 'home-manager');
});

/** The waits between looks that each move nothing, while the snapshot keeps calling for one (intervals of the product). */
const waits = (call: LookCall, looks: number): number[] => {
  const out: number[] = [];
  for (let previous: number | undefined; out.length < looks; ) {
    previous = retryDelay(call, previous, { lookIntervalMs: 3000, maxLookIntervalMs: 60_000 });
    out.push(previous);
  }
  return out;
};

test('no manager to read (no swarm yet): looks come ever later, up to the longest interval', () => {
  assert.deepEqual(waits('no-manager', 7), [3000, 6000, 12_000, 24_000, 48_000, 60_000, 60_000]);
});

test('node1 shown as a ready manager while another node is read: looks stay prompt until node1 manages', () => {
  // A promotion the leader already shows takes node1 seconds to act on (a minute under load): a doubling wait would
  // bring the checks home up to twice that late (a CI run waited over 60 s).
  assert.deepEqual(waits('home-manager', 7), [3000, 3000, 3000, 3000, 3000, 3000, 3000]);
});
