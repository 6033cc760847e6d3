// How autopilot types a deck's commands: keystrokes of the `keys` directive, placeholders, endless commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keysToBytes, leavesShell } from '../../src/autopilot/keys.ts';
import { createdService, isEndless, prepareCommand } from '../../src/autopilot/command-prep.ts';

test('keys: control keys, named keys, plain text', () => {
  assert.equal(keysToBytes('^C'), '\x03');
  assert.equal(keysToBytes('C-d'), '\x04');
  assert.equal(keysToBytes('^D Enter'), '\x04\r');
  assert.equal(keysToBytes('exit'), 'exit');
  assert.ok(leavesShell('^D'));
  assert.ok(!leavesShell('^C'));
});

test('a <containerID> placeholder becomes a variable set to the container of the service created last', () => {
  const prepared = prepareCommand('docker exec -ti <containerID> sh', { lastService: 'debug' });
  assert.equal(prepared.typed, 'docker exec -ti $containerID sh');
  assert.deepEqual(prepared.assignments, ['containerID=$(docker ps -q --filter label=com.docker.swarm.service.name=debug | head -n 1)']);
  assert.deepEqual(prepareCommand('echo <nodename>', { lastService: undefined }).assignments, []);
  assert.equal(createdService('docker service create --network n --name debug alpine sleep 1'), 'debug');
});

test('endless commands are recognised (Ctrl-C after a moment), bounded ones are not', () => {
  assert.ok(isEndless('ping rng'));
  assert.ok(!isEndless('ping -c 3 rng'));
  assert.ok(isEndless('docker service logs -f dockercoins_worker'));
  assert.ok(!isEndless('ab -c 50 -n 50 http://rng/10'));
});
