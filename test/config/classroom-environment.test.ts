// `classroom: { environment: … }`: which provider gives attendees their terminals and engine, validated with
// file:line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseWorkshop } from '../../src/config/workshop.ts';

function configOf(lines: string[]) {
  const folder = '/w';
  const text = ['title: T', 'chapters:', '- a.md', ...lines].join('\n');
  return { config: parseWorkshop(text, join(folder, 'workshop.yml')).classroom, folder };
}
const failure = (lines: string[]) => {
  try {
    configOf(lines);
  } catch (error) {
    return (error as Error).message.replace(/^.*workshop\.yml:/, 'workshop.yml:');
  }
  return 'no error';
};

test('environment: local when absent; swarm with limits and images; external with its attendees file', () => {
  assert.deepEqual(configOf(['classroom: true']).config.environment, { provider: 'local' });
  assert.deepEqual(configOf(['classroom:', '  data: d']).config.environment, { provider: 'local' });
  const swarm = configOf(['classroom:', '  environment:', '    provider: swarm', '    memory: 512m', '    cpus: 0.5', '    images: [labdeck/busybox, alpine:3.19]'])
    .config.environment;
  assert.equal(swarm.provider, 'swarm');
  assert.ok(swarm.provider === 'swarm');
  assert.equal(swarm.memoryBytes, 512 * 1024 ** 2);
  assert.equal(swarm.nanoCpus, 5e8);
  assert.deepEqual(swarm.images, ['labdeck/busybox:latest', 'alpine:3.19']);
  assert.equal(swarm.location.line, 6);
  const defaults = configOf(['classroom: { environment: { provider: swarm } }']).config.environment;
  assert.ok(defaults.provider === 'swarm');
  assert.equal(defaults.memoryBytes, 1024 ** 3);
  assert.equal(defaults.nanoCpus, 1e9);
  assert.deepEqual(defaults.images, ['labdeck/busybox:latest', 'labdeck/toolbox:latest']);
  const { config, folder } = configOf(['classroom:', '  environment: { provider: external, attendees: vms/attendees.yml }']);
  assert.deepEqual({ ...config.environment, location: undefined }, { provider: 'external', attendeesFile: join(folder, 'vms/attendees.yml'), location: undefined });
});

test('environment: mistakes name the line they are on', () => {
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: kubernetes']),
    'workshop.yml:6: classroom.environment: "provider" must be local, external or swarm',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: swarm', '    memory: lots']),
    'workshop.yml:7: classroom.environment: "memory" must be a size such as 512m or 2g (at least 64m)',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: swarm', '    memory: 1m']),
    'workshop.yml:7: classroom.environment: "memory" must be a size such as 512m or 2g (at least 64m)',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: swarm', '    cpus: 0']),
    'workshop.yml:7: classroom.environment: "cpus" must be a positive number such as 0.5 or 2',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: swarm', '    images: labdeck/busybox']),
    'workshop.yml:7: classroom.environment: "images" must be a list of image names (e.g. [labdeck/busybox])',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: local', '    memory: 1g']),
    'workshop.yml:7: classroom.environment: unknown key "memory" for provider local (known: provider)',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: external']),
    'workshop.yml:6: classroom.environment: provider external needs "attendees": the attendees file (YAML: name → shell command and Docker endpoint)',
  );
  assert.equal(
    failure(['classroom:', '  environment: swarm']),
    'workshop.yml:5: classroom.environment: expected a mapping like { provider: swarm } (providers: local, external, swarm)',
  );
  assert.equal(failure(['classroom:', '  data: d', '  enviroment: {}']), 'workshop.yml:6: classroom: unknown key "enviroment" (known: data, environment, stuckAfter)');
});

test('environment: warm seats, a whole number of sandboxes kept ready (swarm only), mistakes on their line', () => {
  const warm = configOf(['classroom:', '  environment:', '    provider: swarm', '    warm: 12']).config.environment;
  assert.ok(warm.provider === 'swarm');
  assert.equal(warm.warm, 12);
  const none = configOf(['classroom: { environment: { provider: swarm } }']).config.environment;
  assert.ok(none.provider === 'swarm');
  assert.equal(none.warm, 0);
  for (const value of ['-1', '2.5', 'many', '501', '[3]']) {
    assert.equal(
      failure(['classroom:', '  environment:', '    provider: swarm', `    warm: ${value}`]),
      'workshop.yml:7: classroom.environment: "warm" must be a whole number of sandboxes kept ready, from 0 to 500',
      value,
    );
  }
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: external', '    attendees: a.yml', '    warm: 2']),
    'workshop.yml:8: classroom.environment: unknown key "warm" for provider external (known: provider, attendees)',
  );
});

test('environment: nodes, a cluster per attendee (1 by default, at most 10; warm seats hold whole clusters), mistakes on their line', () => {
  const cluster = configOf(['classroom:', '  environment:', '    provider: swarm', '    nodes: 3']).config.environment;
  assert.ok(cluster.provider === 'swarm');
  assert.equal(cluster.nodes, 3);
  const single = configOf(['classroom: { environment: { provider: swarm } }']).config.environment;
  assert.ok(single.provider === 'swarm');
  assert.equal(single.nodes, 1);
  for (const value of ['0', '-2', '1.5', 'three', '11', '[3]']) {
    assert.equal(
      failure(['classroom:', '  environment:', '    provider: swarm', `    nodes: ${value}`]),
      'workshop.yml:7: classroom.environment: "nodes" must be a whole number of nodes per attendee, from 1 to 10',
      value,
    );
  }
  // Warm seats hold whole clusters: a class of clusters keeps `warm` of them ready.
  const warmClusters = configOf(['classroom:', '  environment:', '    provider: swarm', '    nodes: 3', '    warm: 2']).config.environment;
  assert.ok(warmClusters.provider === 'swarm');
  assert.deepEqual([warmClusters.nodes, warmClusters.warm], [3, 2]);
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: swarm', '    nodes: 3', '    warm: -1']),
    'workshop.yml:8: classroom.environment: "warm" must be a whole number of sandboxes kept ready, from 0 to 500',
  );
  assert.equal(
    failure(['classroom:', '  environment:', '    provider: local', '    nodes: 2']),
    'workshop.yml:7: classroom.environment: unknown key "nodes" for provider local (known: provider)',
  );
});
