// Where autopilot types a deck's commands: the host shell, a container's shell (`docker exec -ti … sh`) or a shell on
// another node (`ssh node2`, as container.training's swarm chapters do), and what leaves each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entersRemoteShell, shellMove, type ShellKind } from '../../src/autopilot/shells.ts';

test('ssh HOST with no remote command enters a shell there; with a command, or not interactive, it does not', () => {
  assert.equal(entersRemoteShell('ssh node2'), 'node2');
  assert.equal(entersRemoteShell('  ssh root@node3  '), 'root@node3');
  assert.equal(entersRemoteShell('ssh -p 2222 -o StrictHostKeyChecking=no node2'), 'node2');
  assert.equal(entersRemoteShell('ssh -tt -i ~/.ssh/id node2'), 'node2');
  assert.equal(entersRemoteShell('ssh -p2222 node2'), 'node2');
  assert.equal(entersRemoteShell('ssh node2 bash'), 'node2', 'a shell as the remote command is a shell there too');
  assert.equal(entersRemoteShell('sudo ssh node2'), 'node2');
  assert.equal(entersRemoteShell('ssh node2 docker ps'), undefined);
  assert.equal(entersRemoteShell('ssh node2 "docker swarm join --token x node1:2377"'), undefined);
  assert.equal(entersRemoteShell('ssh -N -L 8000:localhost:80 node2'), undefined, 'port forwarding only');
  assert.equal(entersRemoteShell('ssh -f node2'), undefined);
  assert.equal(entersRemoteShell('ssh-keygen -t ed25519'), undefined);
  assert.equal(entersRemoteShell('ssh'), undefined);
  assert.equal(entersRemoteShell('ssh node2; hostname'), undefined, 'a line that goes on after the shell is not typed into it');
  assert.equal(entersRemoteShell('echo ssh node2'), undefined);
});

test('docker commands leave a container shell first, but stay in an ssh shell', () => {
  const moves = (start: ShellKind | undefined, command: string) => shellMove(start, command);
  assert.deepEqual(moves(undefined, 'docker exec -ti debug sh'), { kind: 'enter', shell: 'container' });
  assert.deepEqual(moves(undefined, 'ssh node2'), { kind: 'enter', shell: 'remote' });
  assert.deepEqual(moves(undefined, 'docker service ls'), { kind: 'stay' });
  assert.deepEqual(moves(undefined, 'exit'), { kind: 'stay' }, 'nothing to leave on the host');

  assert.deepEqual(moves('container', 'docker service ls'), { kind: 'leave-first' });
  assert.deepEqual(moves('container', 'ls /'), { kind: 'stay' });
  assert.deepEqual(moves('container', 'exit'), { kind: 'leave' });
  assert.deepEqual(moves('container', 'ssh node2'), { kind: 'stay' }, 'typed in the container as it is');

  assert.deepEqual(moves('remote', 'docker swarm join --token SWMTKN-1-x node1:2377'), { kind: 'stay' });
  assert.deepEqual(moves('remote', 'docker exec -ti web sh'), { kind: 'enter', shell: 'container' });
  assert.deepEqual(moves('remote', 'ssh node3'), { kind: 'enter', shell: 'remote' });
  assert.deepEqual(moves('remote', 'logout'), { kind: 'leave' });
  assert.deepEqual(moves('remote', 'exit'), { kind: 'leave' });
  assert.deepEqual(moves('remote', 'hostname'), { kind: 'stay' });
});
