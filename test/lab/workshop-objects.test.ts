// What a workshop's own steps create, read from their commands: what `lab up` resets and autopilot warns about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createdObjects } from '../../src/checks/infer.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { objectsCreatedBy } from '../../src/lab/workshop-objects.ts';

test('the sample workshop creates one thing of its own: the debug service', async () => {
  const { deck } = await loadDeck(fileURLToPath(new URL('../../workshop.yml', import.meta.url)));
  assert.deepEqual(objectsCreatedBy(deck.steps), [{ kind: 'service', name: 'debug' }]);
});

test('services, networks, stacks, secrets and configs a command creates; not what it updates; no unknown names', () => {
  assert.deepEqual(createdObjects('docker network create --driver overlay dockercoins && docker service create --network dockercoins --name redis redis'), [
    { kind: 'network', name: 'dockercoins' },
    { kind: 'service', name: 'redis' },
  ]);
  assert.deepEqual(createdObjects('REGISTRY=127.0.0.1:5000\nfor SERVICE in hasher rng; do\n  docker service create --name $SERVICE $REGISTRY/$SERVICE\ndone'), [
    { kind: 'service', name: 'hasher' },
    { kind: 'service', name: 'rng' },
  ]);
  assert.deepEqual(createdObjects('docker stack deploy -c dockercoins.yml dockercoins; echo s3cr3t | docker secret create pw -; docker config create conf ./c'), [
    { kind: 'stack', name: 'dockercoins' },
    { kind: 'secret', name: 'pw' },
    { kind: 'config', name: 'conf' },
  ]);
  assert.deepEqual(
    createdObjects('docker service update web --replicas 3; docker service scale rng=2; docker service create --name $X alpine; docker service create alpine'),
    [],
  );
});

test('steps: the same object once, and `bash` directives count', () => {
  const step = (commands: string[], bash: string[] = []) => ({ commands, directives: bash.map((argument) => ({ kind: 'bash' as const, argument, afterCommands: 0 })) });
  assert.deepEqual(
    objectsCreatedBy([
      step(['docker service create --name web nginx']),
      step(['docker service rm web'], ['docker service create --name web nginx', 'docker network create n']),
    ]),
    [
      { kind: 'service', name: 'web' },
      { kind: 'network', name: 'n' },
    ],
  );
});
