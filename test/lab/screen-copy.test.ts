// The `copy`/`copypaste` directives: what autopilot takes from the screen to paste.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFromScreen } from '../../src/autopilot/screen-copy.ts';

const initOutput = [
  'Swarm initialized: current node (dxn1zf6l61qsb1josjja83ngz) is now a manager.',
  '',
  'To add a worker to this swarm, run the following command:',
  '',
  '    docker swarm join --token SWMTKN-1-49nj1cmql0jkz5s954yi3oex3nedyz0fb0xx14ie39trti4wxv-8vxv8rssmk743ojnwacrr2e7c 192.168.99.100:2377',
  '',
].join('\n');

test('the latest match of the deck regex, as container.training writes it', () => {
  const screen = `${initOutput}$ docker swarm join-token worker\n${initOutput.replace('192.168.99.100', '10.0.0.11')}`;
  assert.deepEqual(copyFromScreen(screen, 'docker swarm join --token SWMTKN.*?:2377'), {
    text: 'docker swarm join --token SWMTKN-1-49nj1cmql0jkz5s954yi3oex3nedyz0fb0xx14ie39trti4wxv-8vxv8rssmk743ojnwacrr2e7c 10.0.0.11:2377',
  });
});

test('a match the terminal wrapped over two lines is copied as one line', () => {
  assert.deepEqual(copyFromScreen('docker swarm join --token SWMTKN-1-abc\ndef 10.0.0.11:2377\n$ ', 'docker swarm join --token SWMTKN.*?:2377'), {
    text: 'docker swarm join --token SWMTKN-1-abcdef 10.0.0.11:2377',
  });
});

test('no match, or a pattern that is not a regular expression, is a reason for a person', () => {
  assert.deepEqual(copyFromScreen('$ ', 'SWMTKN.*?:2377'), { problem: 'copy: nothing the terminal printed matches `SWMTKN.*?:2377`' });
  const bad = copyFromScreen('$ ', 'docker (swarm');
  assert.ok('problem' in bad && /^copy: `docker \(swarm` is not a regular expression \(/.test(bad.problem), JSON.stringify(bad));
});
