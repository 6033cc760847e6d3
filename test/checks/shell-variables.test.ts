// A check never names an unexpanded shell variable: what a command line makes explicit (a literal `for X in a b c`
// list, a variable it sets to a literal value) is expanded; what only the shell knows at run time gives no check on
// that name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCatalog } from '../../src/checks/catalog.ts';
import { inferFromCommand } from '../../src/checks/infer.ts';
import { expandCommands } from '../../src/checks/shell-words.ts';
import { renderMarkdownDeck } from '../../src/deck/render-deck.ts';

// container.training's current slides/swarm/btp-manual.md (jpetazzo/container.training, CC-BY-4.0), as
// swarm.yml includes it; the December 2021 copy under test/fixtures/container-training/ predates these slides.
const startServices = `REGISTRY=127.0.0.1:5000
TAG=v1
for SERVICE in hasher rng webui worker; do
  docker service create --network dockercoins --detach=true \\
         --name $SERVICE $REGISTRY/$SERVICE:$TAG
done`;
const recreateRng = `  docker service create --name rng --network dockercoins --mode global \\
    --detach=false $REGISTRY/rng:$TAG`;

/** Every name, image and network a check carries (constraints may hold `$VAR`: the spec reads it as any word). */
function namesIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return ['name', 'stack', 'node', 'image', 'networks'].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((inner) => namesIn(inner, key));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([inner, v]) => namesIn(v, inner));
}

test('a literal `for SERVICE in …` list becomes one service check per word (btp-manual.md "Run the other services")', () => {
  const { check, inferred } = inferFromCommand(startServices);
  assert.equal(inferred, true);
  assert.deepEqual(check, {
    kind: 'all',
    checks: ['hasher', 'rng', 'webui', 'worker'].map((name) => ({
      kind: 'service',
      name,
      image: `127.0.0.1:5000/${name}:v1`,
      networks: ['dockercoins'],
      running: 'desired',
    })),
  });
});

test('what the line does not set stays unknown: the name is checked, the image is not', () => {
  assert.deepEqual(inferFromCommand(recreateRng).check, { kind: 'service', name: 'rng', networks: ['dockercoins'], mode: 'global', running: 'desired' });
});

test('a list or a name only the shell knows gives no check on that name: the step falls back to `ran`', () => {
  for (const line of [
    'for SERVICE in $(docker service ls -q); do docker service create --name $SERVICE alpine sleep 1d; done',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    'for SERVICE in $SERVICES; do docker service scale $SERVICE=0; done\ndocker service rm ${PREFIX}web',
    'docker service create --name `hostname` alpine sleep 1d',
    'docker network create --driver overlay $NET',
    'for S in a*; do docker service rm $S; done',
  ]) {
    const inference = inferFromCommand(line);
    assert.equal(inference.check.kind, 'ran', line);
    assert.equal(inference.inferred, false, line);
  }
  const mixed = inferFromCommand('docker service update $NAME --replicas 2\ndocker service update web --image $IMAGE');
  assert.deepEqual(mixed.check, { kind: 'service', name: 'web', running: 'desired' });
});

test("the fixtures' own shapes: variables set on earlier lines of the block, `export`, loops over $(seq …)", () => {
  const fixtures = resolve(import.meta.dirname, '../fixtures/container-training/swarm');
  // updatingservices.md: export REGISTRY / TAG, IMAGE=$REGISTRY/…:$TAG, then `--image $IMAGE`.
  const updating = readFileSync(resolve(fixtures, 'updatingservices.md'), 'utf8');
  const block = /```bash\n([^`]*IMAGE=\$REGISTRY[^`]*)```/.exec(updating)![1]!.replace(/^ {2}/gm, '');
  assert.deepEqual(inferFromCommand(block).check, { kind: 'service', name: 'dockercoins_webui', image: '127.0.0.1:5000/dockercoins_webui:v0.2', running: 'desired' });
  // operatingswarm.md: `for N in $(seq 2 5); do DOCKER_HOST=tcp://node$N:2375 docker swarm join …; done`.
  const operating = readFileSync(resolve(fixtures, 'operatingswarm.md'), 'utf8');
  const join = /```bash\n(docker swarm init[^`]*)```/.exec(operating)![1]!;
  const checks = inferFromCommand(join).check;
  assert.equal(checks.kind, 'all');
  assert.deepEqual(
    namesIn(checks).filter((name) => /[$`]/.test(name)),
    [],
  );
  assert.ok(checks.kind === 'all' && checks.checks.some((c) => c.kind === 'service' && c.stack === 'dockercoins'));
});

test('expanding: nested loops, literal assignments, quoting kept out of the way', () => {
  assert.deepEqual(expandCommands('for A in x y; do for B in 1 2; do echo $A$B; done; done'), [
    ['echo', 'x1'],
    ['echo', 'x2'],
    ['echo', 'y1'],
    ['echo', 'y2'],
  ]);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
  assert.deepEqual(expandCommands('N=3 && export M="a b"; echo $N ${M} $OTHER $(date)'), [['N=3'], ['export', 'M=a b'], ['echo', '3', 'a b', '$OTHER', '$(date)']]);
  assert.deepEqual(expandCommands('X=$(hostname); echo $X'), [['X=$(hostname)'], ['echo', '$X']]);
  assert.deepEqual(expandCommands('for N in $(seq 1 3); do echo node$N; done'), [['echo', 'node$N']]);
});

test('a deck with the loop: --explain shows three services, none named after a variable', () => {
  const deck = renderMarkdownDeck(`# Run

.exercise[

- Start the other services:
  \`\`\`bash
  for SERVICE in hasher rng webui; do
    docker service create --network dockercoins --detach=true --name $SERVICE alpine sleep 1d
  done
  \`\`\`

]
`);
  const [check] = buildCatalog(deck, []).checks;
  assert.equal(check!.origin.how, 'inferred');
  assert.deepEqual(
    namesIn(check!.check).filter((name) => name.includes('$')),
    [],
  );
  assert.deepEqual(check!.check.kind === 'all' && check!.check.checks.map((c) => c.kind === 'service' && c.name), ['hasher', 'rng', 'webui']);
});
