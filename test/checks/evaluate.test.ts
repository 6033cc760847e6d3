// The pure evaluation of every check kind against snapshot fixtures: each passes when the state holds and fails,
// with a reason naming what is missing, when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCheck, normalizeImage } from '../../src/checks/evaluate.ts';
import { UNKNOWN_SNAPSHOT, type ProbeResult } from '../../src/checks/engine-state.ts';
import { parseResolvedAddresses, probeFor } from '../../src/checks/probes.ts';
import type { CheckSpec, DnsCheck, ExecCheck } from '../../src/checks/spec.ts';
import { NOW, command, service, snapshot, task } from './snapshot-fixtures.ts';

const debug = service({
  name: 'debug',
  networkIds: ['net-dc'],
  constraints: ['node.hostname==node1'],
  image: 'alpine:latest@sha256:abc123',
});
const running = snapshot({ services: [debug], tasks: [task('debug', 'running')] });

function evaluate(check: CheckSpec, state = running, probes?: Map<string, ProbeResult>, confirmed = false) {
  return evaluateCheck(check, state, [], NOW, { probes, confirmed });
}

test('service: exists, absent, and the spec fields with precise reasons', () => {
  assert.equal(evaluate({ kind: 'service', name: 'debug', running: 1 }).status, 'passed');
  assert.deepEqual(evaluate({ kind: 'service', name: 'nope' }), { status: 'failed', reason: 'service `nope` does not exist' });
  assert.deepEqual(evaluate({ kind: 'service', name: 'debug', absent: true }), { status: 'failed', reason: 'service `debug` still exists' });
  assert.equal(evaluate({ kind: 'service', name: 'gone', absent: true }).status, 'passed');
  assert.equal(
    evaluate({ kind: 'service', name: 'debug', image: 'alpine', networks: ['dockercoins_default'], constraints: ['node.hostname==$HOSTNAME'] }).status,
    'passed',
  );
  assert.match(evaluate({ kind: 'service', name: 'debug', image: 'nicolaka/netshoot' }).reason, /image is `alpine:latest`, expected `nicolaka\/netshoot`/);
  assert.match(
    evaluate({ kind: 'service', name: 'debug', networks: ['other'] }).reason,
    /not attached to network `other` \(no such network\) \(attached: dockercoins_default\)/,
  );
  assert.match(evaluate({ kind: 'service', name: 'debug', constraints: ['node.role==worker'] }).reason, /lacks placement constraint `node.role==worker`/);
  assert.match(evaluate({ kind: 'service', name: 'debug', endpointMode: 'dnsrr' }).reason, /endpoint mode is vip, expected dnsrr/);
  assert.match(evaluate({ kind: 'service', name: 'debug', mode: 'global' }).reason, /mode is replicated, expected global/);
  assert.match(evaluate({ kind: 'service', name: 'debug', replicas: 5 }).reason, /1 replicas desired, expected 5/);
  assert.match(evaluate({ kind: 'service', name: 'debug', ports: [{ published: 8000, target: 80 }] }).reason, /does not publish 8000→80\/tcp \(publishes: nothing\)/);
  const web = snapshot({ services: [service({ name: 'web', ports: [{ published: 8000, target: 80, protocol: 'tcp' }] })] });
  assert.equal(evaluate({ kind: 'service', name: 'web', ports: [{ published: 8000, target: 80 }] }, web).status, 'passed');
  assert.equal(evaluate({ kind: 'service', name: 'web', ports: [{ target: 80 }] }, web).status, 'passed');
});

test('service running tasks: exact, range, desired; pending while converging, failed with the task error after', () => {
  assert.deepEqual(evaluate({ kind: 'service', name: 'debug', running: 1 }), { status: 'passed', reason: 'service `debug`: 1/1 tasks running' });
  const stuck = snapshot({
    services: [debug],
    tasks: [task('debug', 'pending', { error: undefined, message: 'no suitable node (scheduling constraints not satisfied on 1 node)' })],
  });
  assert.deepEqual(evaluate({ kind: 'service', name: 'debug', running: 'desired' }, stuck), {
    status: 'failed',
    reason: 'service `debug`: 0/1 tasks running (latest task pending: no suitable node (scheduling constraints not satisfied on 1 node))',
  });
  const starting = snapshot({ services: [{ ...debug, updatedAt: NOW - 2000 }], tasks: [task('debug', 'preparing', { updatedAt: NOW - 1000 })] });
  const converging = evaluate({ kind: 'service', name: 'debug', running: 'desired' }, starting);
  assert.equal(converging.status, 'pending');
  assert.match(converging.reason, /0\/1 tasks running .*converging/);
  const five = snapshot({ services: [service({ name: 'rng', replicas: 5 })], tasks: [1, 2, 3].map(() => task('rng', 'running')) });
  assert.match(evaluate({ kind: 'service', name: 'rng', running: { min: 4, max: 6 } }, five).reason, /3 tasks running, expected 4–6/);
  assert.equal(evaluate({ kind: 'service', name: 'rng', running: { min: 2 } }, five).status, 'passed');
});

test('service by stack: every service of the stack converged', () => {
  const label = { 'com.docker.stack.namespace': 'dockercoins' };
  const state = snapshot({
    services: [service({ name: 'dockercoins_rng', labels: label }), service({ name: 'dockercoins_worker', labels: label })],
    tasks: [task('dockercoins_rng', 'running')],
  });
  assert.match(evaluate({ kind: 'service', stack: 'dockercoins' }, state).reason, /service `dockercoins_worker`: 0\/1 tasks running/);
  assert.match(evaluate({ kind: 'service', stack: 'dockercoins', absent: true }, state).reason, /stack `dockercoins` still has 2 services/);
  assert.equal(evaluate({ kind: 'service', stack: 'other', absent: true }, state).status, 'passed');
});

test('engine unreachable, not yet seen, not in a swarm', () => {
  const down = { ...running, reachable: false, error: 'cannot connect to /var/run/docker.sock (ECONNREFUSED)' };
  assert.deepEqual(evaluate({ kind: 'service', name: 'debug' }, down), {
    status: 'error',
    reason: 'engine unreachable: cannot connect to /var/run/docker.sock (ECONNREFUSED)',
  });
  assert.equal(evaluate({ kind: 'network', name: 'x' }, UNKNOWN_SNAPSHOT).status, 'pending');
  const noSwarm = snapshot({ swarm: 'inactive', isManager: false, nodes: [] });
  assert.match(evaluate({ kind: 'service', name: 'debug' }, noSwarm).reason, /not part of a swarm/);
  assert.match(evaluate({ kind: 'node', self: true, role: 'manager' }, noSwarm).reason, /not part of a swarm/);
  assert.equal(evaluate({ kind: 'node', self: true, count: 0 }, noSwarm).status, 'passed');
  assert.equal(evaluate({ kind: 'node', self: true, count: 0 }).status, 'failed');
  // ran and manual need no engine.
  assert.equal(evaluate({ kind: 'manual' }, down, undefined, true).status, 'passed');
});

test('network: exists, driver, scope, attachable', () => {
  assert.equal(evaluate({ kind: 'network', name: 'dockercoins_default', driver: 'overlay', scope: 'swarm' }).status, 'passed');
  assert.deepEqual(evaluate({ kind: 'network', name: 'dockercoins_default', attachable: true }), {
    status: 'failed',
    reason: 'network `dockercoins_default`: is not attachable (create it with `--attachable`)',
  });
  assert.match(evaluate({ kind: 'network', name: 'bridge', driver: 'overlay' }).reason, /driver is bridge, expected overlay/);
  assert.equal(evaluate({ kind: 'network', name: 'nope' }).reason, 'network `nope` does not exist');
  assert.equal(evaluate({ kind: 'network', name: 'nope', absent: true }).status, 'passed');
});

test('node: count, role, availability, labels, by name', () => {
  const three = snapshot({
    nodes: [
      { id: 'node-1', hostname: 'node1', role: 'manager', availability: 'active', state: 'ready', labels: {} },
      { id: 'node-2', hostname: 'node2', role: 'worker', availability: 'active', state: 'ready', labels: { disk: 'ssd' } },
      { id: 'node-3', hostname: 'node3', role: 'worker', availability: 'drain', state: 'ready', labels: {} },
    ],
  });
  assert.equal(evaluate({ kind: 'node', count: 3 }, three).status, 'passed');
  assert.equal(evaluate({ kind: 'node', role: 'manager', count: 3 }, three).reason, '1 node with role manager, expected 3');
  assert.equal(evaluate({ kind: 'node', node: 'node3', availability: 'drain' }, three).status, 'passed');
  assert.equal(evaluate({ kind: 'node', node: 'node2', availability: 'drain' }, three).reason, 'node `node2`: availability is active, expected drain');
  assert.equal(evaluate({ kind: 'node', node: 'node2', labels: { disk: 'ssd' } }, three).status, 'passed');
  assert.equal(evaluate({ kind: 'node', node: 'node1', labels: { disk: 'ssd' } }, three).reason, 'node `node1`: lacks label disk=ssd');
  assert.equal(evaluate({ kind: 'node', node: 'node9' }, three).reason, 'node `node9`: no such node in the swarm');
  assert.equal(evaluate({ kind: 'node', self: true, role: 'manager' }, three).status, 'passed');
});

test('container: running by label, count, on which node', () => {
  const labels = { 'com.docker.swarm.service.name': 'debug' };
  const state = snapshot({ containers: [{ id: 'c1', name: 'debug.1.x', labels, state: 'exited' }] });
  assert.equal(evaluate({ kind: 'container', labels }, state).reason, 'no running container with com.docker.swarm.service.name=debug on this engine (1 not running)');
  assert.equal(evaluate({ kind: 'container', labels, running: false }, state).status, 'passed');
  const up = snapshot({ containers: [{ id: 'c1', name: 'debug.1.x', labels, state: 'running' }] });
  assert.equal(evaluate({ kind: 'container', labels, onNode: 'node1' }, up).status, 'passed');
  assert.equal(evaluate({ kind: 'container', labels, onNode: 'node2' }, up).reason, 'container with com.docker.swarm.service.name=debug runs on node1, not on `node2`');
  assert.match(evaluate({ kind: 'container', labels, count: 2 }, up).reason, /1 container running .*expected 2/);
});

test('exec: pending until probed, then exit code and output decide', () => {
  const check: ExecCheck = { kind: 'exec', target: { service: 'debug' }, command: 'which curl ab drill', output: 'drill' };
  assert.equal(evaluate(check).status, 'pending');
  const key = probeFor(check).key;
  const probes = (result: ProbeResult) => new Map([[key, result]]);
  assert.equal(evaluate(check, running, probes({ ok: true, exitCode: 0, output: '/usr/bin/curl\n/usr/bin/ab\n/usr/bin/drill\n', at: NOW })).status, 'passed');
  assert.equal(
    evaluate(check, running, probes({ ok: true, exitCode: 1, output: '/usr/bin/curl\n', at: NOW })).reason,
    '`which curl ab drill` exited with 1 in service `debug`: /usr/bin/curl',
  );
  assert.match(evaluate(check, running, probes({ ok: true, exitCode: 0, output: 'curl', at: NOW })).reason, /does not match \/drill\//);
  assert.equal(evaluate(check, running, probes({ ok: false, error: 'no running container of service `debug` on this engine', at: NOW })).status, 'failed');
});

test('dns: counts distinct addresses from nslookup (busybox, bind) and getent output', () => {
  const busybox =
    'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\ttasks.rng\nAddress: 10.0.1.5\nName:\ttasks.rng\nAddress: 10.0.1.6\n\n';
  assert.deepEqual(parseResolvedAddresses(busybox), ['10.0.1.5', '10.0.1.6']);
  assert.deepEqual(parseResolvedAddresses('10.0.1.2        STREAM rng\n10.0.1.2        DGRAM\n10.0.1.2        RAW\n'), ['10.0.1.2']);
  assert.deepEqual(parseResolvedAddresses("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11#53\n\n** server can't find nope: NXDOMAIN\n"), []);
  const check: DnsCheck = { kind: 'dns', target: { service: 'debug' }, name: 'tasks.rng', addresses: 5 };
  const probes = new Map([[probeFor(check).key, { ok: true as const, exitCode: 0, output: busybox, at: NOW }]]);
  assert.equal(evaluate(check, running, probes).reason, '`tasks.rng` resolves to 2 addresses in service `debug` (10.0.1.5, 10.0.1.6), expected 5');
  assert.equal(
    evaluate({ ...check, addresses: { min: 2 } }, running, new Map([[probeFor({ ...check, addresses: { min: 2 } }).key, probes.get(probeFor(check).key)!]])).status,
    'passed',
  );
});

test('ran: a matching command with exit 0; still running is pending; a failure says its exit code', () => {
  const check: CheckSpec = { kind: 'ran', pattern: '^docker ps' };
  assert.equal(evaluateCheck(check, running, [], NOW).reason, 'no command matching /^docker ps/ has run yet');
  assert.equal(evaluateCheck(check, running, [command('docker ps', 1)], NOW).reason, '`docker ps` exited with 1');
  assert.equal(evaluateCheck(check, running, [command('docker ps', undefined)], NOW).status, 'pending');
  assert.equal(evaluateCheck(check, running, [command('docker ps', 1), command('docker ps -a', 0)], NOW).status, 'passed');
  assert.equal(evaluateCheck(check, running, [command('ab -c 1 rng', 130)], NOW).status, 'failed');
});

test('manual, all, any, not', () => {
  assert.equal(evaluate({ kind: 'manual', prompt: 'you saw the prompt change' }).reason, 'not confirmed yet (self-reported): you saw the prompt change');
  assert.equal(evaluate({ kind: 'manual' }, running, undefined, true).reason, 'confirmed by the attendee (self-reported)');
  const exists: CheckSpec = { kind: 'service', name: 'debug' };
  const missing: CheckSpec = { kind: 'network', name: 'nope' };
  assert.equal(evaluate({ kind: 'all', checks: [exists, missing] }).reason, 'network `nope` does not exist');
  assert.equal(evaluate({ kind: 'any', checks: [missing, exists] }).status, 'passed');
  assert.equal(evaluate({ kind: 'any', checks: [missing, missing] }).status, 'failed');
  assert.equal(evaluate({ kind: 'not', check: missing }).status, 'passed');
  assert.equal(evaluate({ kind: 'not', check: exists }).status, 'failed');
});

test('image references are compared without registry, library/, default tag or digest', () => {
  assert.equal(normalizeImage('docker.io/library/alpine:latest@sha256:0123abcd'), 'alpine:latest');
  assert.equal(normalizeImage('alpine'), 'alpine:latest');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.notEqual(normalizeImage('alpine:3.20'), normalizeImage('alpine'));
});
