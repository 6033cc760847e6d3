// exercises/*.yml → checks bound to steps, validation errors with file:line, and inference from docker commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCatalog, type DeckOutline } from '../../src/checks/catalog.ts';
import { inferFromCommand, ranPattern } from '../../src/checks/infer.ts';
import { splitCommands } from '../../src/checks/shell-words.ts';
import { renderMarkdownDeck } from '../../src/deck/render-deck.ts';
import type { Step } from '../../src/deck/steps.ts';

function step(id: string, slide: number, index: number, commands: string[], text = 'do it'): Step {
  return { id, slide, index, text, commands, directives: [], source: { file: 'slides/x.md', line: 10 * slide + index } };
}

const deck: DeckOutline = {
  slides: [
    { position: 1, name: 'debug-service' },
    { position: 2, name: undefined },
  ],
  steps: [
    step('debug-service.aaaa', 1, 0, [
      'docker service create --network dockercoins_default --name debug \\\n  --constraint node.hostname==$HOSTNAME alpine sleep 1000000000',
    ]),
    step('debug-service.bbbb', 1, 1, ['docker ps']),
    step('entering-the-debug-container.cccc', 2, 0, ['docker exec -ti <containerID> sh']),
    step('entering-the-debug-container.dddd', 2, 1, ['apk add --update curl apache2-utils drill']),
  ],
};

test('shell words: quotes, escapes, continuations, substitutions and operators', () => {
  assert.deepEqual(splitCommands(`docker service create --name "my app" \\\n  --env 'A=b c' img`), [
    ['docker', 'service', 'create', '--name', 'my app', '--env', 'A=b c', 'img'],
  ]);
  assert.deepEqual(splitCommands('CID=$(docker ps -q --filter label=x) && docker exec -ti $CID sh # enter'), [
    ['CID=$(docker ps -q --filter label=x)'],
    ['docker', 'exec', '-ti', '$CID', 'sh'],
  ]);
  assert.deepEqual(splitCommands('a | b; c || d'), [['a'], ['b'], ['c'], ['d']]);
  assert.deepEqual(splitCommands('echo "a \\"b\\" $(x "y")"'), [['echo', 'a "b" $(x "y")']]);
});

test('inference: service create with every option the checker understands', () => {
  const { check, inferred } = inferFromCommand(
    'docker service create --detach --name web --replicas 3 --network front \\\n --network name=back,alias=b --constraint "node.role == worker" --endpoint-mode dnsrr -p 8000:80 --publish published=53,target=53,protocol=udp nginx:1.27 nginx -g "daemon off;"',
  );
  assert.equal(inferred, true);
  assert.deepEqual(check, {
    kind: 'service',
    name: 'web',
    image: 'nginx:1.27',
    replicas: 3,
    networks: ['front', 'back'],
    constraints: ['node.role == worker'],
    endpointMode: 'dnsrr',
    ports: [
      { target: 80, published: 8000 },
      { target: 53, published: 53, protocol: 'udp' },
    ],
    running: 'desired',
  });
  assert.deepEqual(inferFromCommand('docker service create --mode global --name agent busybox sleep 1d').check, {
    kind: 'service',
    name: 'agent',
    image: 'busybox',
    mode: 'global',
    running: 'desired',
  });
  // Without --name the service cannot be found: the step falls back to `ran`.
  assert.equal(inferFromCommand('docker service create alpine ping 8.8.8.8').check.kind, 'ran');
});

test('inference: update, scale, rm, network, swarm, node, stack, secret, config', () => {
  assert.deepEqual(inferFromCommand('docker service update worker --replicas 10 --detach').check, { kind: 'service', name: 'worker', replicas: 10, running: 'desired' });
  assert.deepEqual(inferFromCommand('docker service scale rng=3 hasher=2').check, {
    kind: 'all',
    checks: [
      { kind: 'service', name: 'rng', replicas: 3, running: 'desired' },
      { kind: 'service', name: 'hasher', replicas: 2, running: 'desired' },
    ],
  });
  assert.deepEqual(inferFromCommand('docker service rm debug').check, { kind: 'service', name: 'debug', absent: true });
  assert.deepEqual(inferFromCommand('docker network create -d overlay --attachable dockercoins').check, {
    kind: 'network',
    name: 'dockercoins',
    driver: 'overlay',
    attachable: true,
  });
  assert.deepEqual(inferFromCommand('docker network rm a b').check, {
    kind: 'all',
    checks: [
      { kind: 'network', name: 'a', absent: true },
      { kind: 'network', name: 'b', absent: true },
    ],
  });
  assert.deepEqual(inferFromCommand('docker swarm init --advertise-addr eth0').check, { kind: 'node', self: true, role: 'manager' });
  assert.deepEqual(inferFromCommand('ssh node2 docker swarm join --token SWMTKN-1 node1:2377').check, { kind: 'node', count: { min: 2 } });
  assert.deepEqual(inferFromCommand('docker swarm leave --force').check, { kind: 'node', self: true, count: 0 });
  assert.deepEqual(inferFromCommand('docker node update --availability drain --label-add disk=ssd node3').check, {
    kind: 'node',
    node: 'node3',
    availability: 'drain',
    labels: { disk: 'ssd' },
  });
  assert.deepEqual(inferFromCommand('docker stack deploy -c dockercoins.yml dockercoins').check, { kind: 'service', stack: 'dockercoins', running: 'desired' });
  assert.deepEqual(inferFromCommand('docker stack rm dockercoins').check, { kind: 'service', stack: 'dockercoins', absent: true });
  assert.deepEqual(inferFromCommand('echo s3cr3t | docker secret create hackme -').check, { kind: 'secret', name: 'hackme' });
  assert.deepEqual(inferFromCommand('docker config create nginx.conf nginx.conf').check, { kind: 'config', name: 'nginx.conf' });
});

test('the ran fallback pattern: flexible spaces, placeholders, extra flags', () => {
  const pattern = new RegExp(ranPattern('docker exec -ti <containerID> sh'));
  assert.match('docker  exec -ti 4f2a9c sh', pattern);
  assert.doesNotMatch('docker exec -ti 4f2a9c bash', pattern);
  assert.match('docker ps -a', new RegExp(ranPattern('docker ps')));
  assert.doesNotMatch('docker psx', new RegExp(ranPattern('docker ps')));
});

test('catalog: specified checks bind by slide+step, command, id; the rest is inferred, with its origin', () => {
  const spec = [
    'steps:',
    '  - slide: debug-service',
    '    step: 2',
    '    check: { container: { com.docker.swarm.service.name: debug } }',
    '  - command: "^apk add"',
    '    check:',
    '      exec: which curl ab drill',
    '      in: debug',
  ].join('\n');
  const { checks, errors } = buildCatalog(deck, [{ file: 'exercises/netshoot.yml', text: spec }], { imageSubstitutes: { alpine: 'labdeck/busybox' } });
  assert.deepEqual(errors, []);
  assert.equal(checks.length, 4);
  assert.deepEqual(checks[0]!.check, {
    kind: 'service',
    name: 'debug',
    image: ['alpine', 'labdeck/busybox'],
    networks: ['dockercoins_default'],
    constraints: ['node.hostname==$HOSTNAME'],
    running: 'desired',
  });
  assert.equal(checks[0]!.origin.how, 'inferred');
  assert.deepEqual(checks[1]!.origin, { how: 'specified', file: 'exercises/netshoot.yml', line: 2 });
  assert.equal(checks[1]!.check.kind, 'container');
  assert.equal(checks[2]!.check.kind, 'ran');
  assert.deepEqual(checks[3]!.check, { kind: 'exec', target: { service: 'debug' }, command: 'which curl ab drill' });
  assert.deepEqual(checks[3]!.origin, { how: 'specified', file: 'exercises/netshoot.yml', line: 5 });
});

test('catalog: a command typed inside a container shell cannot be observed, so it becomes a manual check', () => {
  const { checks } = buildCatalog(deck, []);
  assert.deepEqual(checks[3]!.check, { kind: 'manual', prompt: 'run inside the container: apk add --update curl apache2-utils drill' });
  assert.equal(checks[3]!.origin.how, 'fallback');
});

test("catalog: commands typed in an ssh shell on another node are not seen by the terminal's shell integration", () => {
  // container.training's creatingswarm.md: `ssh node2`, the join pasted there, `docker info` there, Ctrl-D back.
  const onNode2: DeckOutline = {
    slides: [{ position: 1, name: 'node2' }],
    steps: [
      step('node2.a', 1, 0, ['ssh node2']),
      step('node2.b', 1, 1, ['docker swarm join --token SWMTKN-1-x 10.0.0.2:2377']),
      step('node2.c', 1, 2, ['docker info | grep ^Swarm']),
      { ...step('node2.d', 1, 3, []), directives: [{ kind: 'key', argument: '^D', afterCommands: 0 }] },
      step('node2.e', 1, 4, ['docker node ls']),
      step('node2.f', 1, 5, ['ssh node3 docker swarm join --token $TOKEN node1:2377']),
    ],
  };
  const { checks } = buildCatalog(onNode2, []);
  // The ssh client itself runs until the shell on node2 ends: its exit code comes too late for the step.
  assert.deepEqual(checks[0]!.check, { kind: 'manual', prompt: 'open a shell on node2: ssh node2' });
  // What the manager sees still counts; what only the terminal on node2 would see is confirmed by the attendee.
  assert.deepEqual(checks[1]!.origin.how, 'inferred');
  assert.deepEqual(checks[2]!.check, { kind: 'manual', prompt: 'run on node2: docker info | grep ^Swarm' });
  assert.equal(checks[2]!.origin.how, 'fallback');
  // Back on node1 (Ctrl-D), and a remote command runs in the terminal's own shell.
  assert.equal(checks[4]!.check.kind, 'ran');
  assert.equal(checks[5]!.origin.how, 'inferred');
});

test("catalog: a step entry's `timeout` is how long autopilot waits for its check; a bad one is reported at its file:line", () => {
  const spec = [
    'steps:', // 1
    '  - { id: debug-service.aaaa, timeout: 2, check: { service: debug } }', // 2
    '  - { id: debug-service.bbbb, timeout: 0.5, check: { ran: docker } }', // 3
    '  - { command: "^apk add", timeout: soon, check: { manual: true } }', // 4
    '  - { id: entering-the-debug-container.cccc, timeout: 0, check: { manual: true } }', // 5
    '  - { slide: debug-service, step: 1, timeout: 86401, check: { manual: true } }', // 6
  ].join('\n');
  const { checks, errors } = buildCatalog(deck, [{ file: 'exercises/t.yml', text: spec }]);
  assert.equal(checks[0]!.timeoutMs, 2000);
  assert.equal(checks[1]!.timeoutMs, 500);
  // Without `timeout`, autopilot's --check-timeout applies: the check carries none.
  assert.equal('timeoutMs' in checks[2]!, false);
  assert.deepEqual(
    errors.map((e) => e.message),
    [
      'exercises/t.yml:4: `timeout` must be a number of seconds (more than 0, at most 86400), not `soon`',
      'exercises/t.yml:5: `timeout` must be a number of seconds (more than 0, at most 86400), not `0`',
      'exercises/t.yml:6: `timeout` must be a number of seconds (more than 0, at most 86400), not `86401`',
    ],
    "an entry with a bad timeout is dropped, as one with a bad check (line 6 would bind a second check to line 2's step)",
  );
});

test('catalog: every mistake is reported at its file:line', () => {
  const spec = [
    'steps:', // 1
    '  - slide: nope', // 2
    '    check: { ran: docker }', // 3
    '  - slide: debug-service', // 4
    '    step: 7', // 5
    '    check: { ran: docker }', // 6
    '  - command: "^docker ps"', // 7
    '    check: { frobnicate: 1 }', // 8
    '  - id: debug-service.aaaa', // 9
    '    check:', // 10
    '      service: debug', // 11
    '      replicas: three', // 12
    '      colour: blue', // 13
    '  - command: "^docker ("', // 14
    '    check: { manual: true }', // 15
    '  - command: "never matches"', // 16
    '    check: { manual: true }', // 17
    '  - id: debug-service.bbbb', // 18
    '    check: { dns: rng, in: debug }', // 19
  ].join('\n');
  const { errors } = buildCatalog(deck, [{ file: 'exercises/bad.yml', text: spec }]);
  const messages = errors.map((e) => e.message);
  for (const expected of [
    /^exercises\/bad\.yml:2: no slide named `nope`/,
    /^exercises\/bad\.yml:4: slide `debug-service` \(#1\) has 2 hands-on steps, so there is no step 7/,
    /^exercises\/bad\.yml:8: unknown check kind: none of `frobnicate`/,
    /^exercises\/bad\.yml:12: `replicas` must be a whole number/,
    /^exercises\/bad\.yml:13: unknown field `colour` in a service check/,
    /^exercises\/bad\.yml:14: `command` is not a valid regular expression/,
    /^exercises\/bad\.yml:16: no step runs a command matching \/never matches\//,
    /^exercises\/bad\.yml:19: a dns check needs `addresses`/,
  ]) {
    assert.ok(
      messages.some((m) => expected.test(m)),
      `expected ${expected} among:\n${messages.join('\n')}`,
    );
  }
  assert.equal(errors.length, 8, messages.join('\n'));
  const broken = buildCatalog(deck, [{ file: 'exercises/broken.yml', text: 'steps:\n  - slide: [\n' }]);
  assert.match(broken.errors[0]!.message, /^exercises\/broken\.yml:\d+: /);
  assert.deepEqual(
    buildCatalog(deck, [{ file: 'exercises/open-quote.yml', text: 'steps:\n  - slide: "debug\n' }]).errors.map((e) => e.message),
    ['exercises/open-quote.yml:2: Missing closing "quote'],
  );
});

test('catalog on the real seed chapter: every step gets a check, state-changing ones inferred', () => {
  const markdown = readFileSync(resolve(import.meta.dirname, '../fixtures/seed/netshoot.md'), 'utf8');
  const real = renderMarkdownDeck(markdown);
  const { checks, errors } = buildCatalog(real, []);
  assert.deepEqual(errors, []);
  assert.equal(checks.length, real.steps.length);
  const create = checks.find((c) => c.origin.how === 'inferred' && /--name debug/.test(c.origin.command));
  assert.ok(create, 'the debug service step is inferred');
  assert.equal(create.check.kind, 'service');
  const apk = checks.find((c) => c.origin.how === 'fallback' && /apk add/.test(c.origin.command));
  assert.equal(apk?.check.kind, 'manual');
});
