// `labdeck env down` without an attendee, at the end of the day, on the real engine: it removes every environment the
// workshop's data folder made, the sandboxes of autopilot runs kept with `--keep` (`autopilot-…`, which belong to no
// class) included, also when the folder holds no class (a deck tested with autopilot, never served); `env status`
// lists them. Another workshop's kept runs (another data folder) are left alone. The sandboxes are made as
// `autopilot --environment swarm --keep` makes them (autopilot-sandbox.ts), without playing a deck.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autopilotAttendee, autopilotProvider } from '../../src/commands/autopilot-sandbox.ts';
import { loadWorkshop } from '../../src/config/workshop.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { openProgressStore } from '../../src/progress/store.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { AutopilotRuns, beforeSandboxImages } from '../support/autopilot-runs.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const folder = mkdtempSync(join(tmpdir(), 'labdeck-autopilot-env-down-'));
const runs = new AutopilotRuns(docker);
beforeSandboxImages(docker);

after(async () => {
  for (const workshop of ['class', 'ours', 'theirs']) await runs.removeLeft(join(folder, workshop));
  rmSync(folder, { recursive: true, force: true });
});

/** A workshop folder whose class environment is a swarm sandbox; its data folder is `.labdeck` beside it. */
function workshop(name: string): string {
  const dir = join(folder, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'workshop.yml'), ['title: Kept runs', 'content:', '- a.md', 'classroom:', '  environment: { provider: swarm, memory: 768m }', ''].join('\n'));
  writeFileSync(join(dir, 'a.md'), '# A\n');
  return dir;
}

/** An autopilot run's sandbox, kept: made as `autopilot --environment swarm --keep` makes it. */
async function keptRun(dir: string): Promise<string> {
  const attendee = autopilotAttendee();
  runs.note(attendee.id);
  const provider = autopilotProvider(loadWorkshop(join(dir, 'workshop.yml')).classroom.environment, {
    docker,
    dataDir: join(dir, '.labdeck'),
    log: () => {},
  });
  await provider.up(attendee);
  return attendee.id;
}

test('the end of a class: env down with no attendee removes the kept autopilot runs with the attendees’ environments', { timeout: 300_000 }, async () => {
  const ours = workshop('class');
  const store = openProgressStore(join(ours, '.labdeck'));
  store.classRecord(() => ({ code: 'KPT234', instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
  store.close();
  const kept = await keptRun(ours);
  assert.ok((await runs.sandboxes()).includes(kept), `${kept} made`);
  const status = await runLabdeck(['env', 'status'], { cwd: ours });
  assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
  assert.match(status.stdout, new RegExp(`^autopilot\\s+${kept}\\s+ready\\s`, 'm'), status.stdout);
  assert.match(status.stdout, /swarm environments, class KPT234/, status.stdout);
  const down = await runLabdeck(['env', 'down'], { cwd: ours });
  assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
  assert.match(down.stdout, new RegExp(`^autopilot \\(${kept}\\): removed$`, 'm'), down.stdout);
  assert.ok(!(await runs.sandboxes()).includes(kept), `${kept} is removed`);
  assert.equal(existsSync(join(ours, '.labdeck', 'environments', kept)), false, 'its folder is removed');
  // Nothing left: said as before.
  const again = await runLabdeck(['env', 'down'], { cwd: ours });
  assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
  assert.equal(again.stdout, 'no environment to remove\n');
});

test('a deck tested with autopilot, never served (no class): env status and down find its kept runs, not another workshop’s', { timeout: 300_000 }, async () => {
  const ours = workshop('ours');
  const theirs = workshop('theirs');
  const [kept, other] = await Promise.all([keptRun(ours), keptRun(theirs)]);
  const status = await runLabdeck(['env', 'status'], { cwd: ours });
  assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
  assert.match(status.stdout, new RegExp(`^autopilot\\s+${kept}\\s+ready\\s`, 'm'), status.stdout);
  assert.doesNotMatch(status.stdout, new RegExp(other), 'another workshop’s run is not listed');
  const down = await runLabdeck(['env', 'down'], { cwd: ours });
  assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
  assert.match(down.stdout, new RegExp(`^autopilot \\(${kept}\\): removed$`, 'm'), down.stdout);
  assert.ok(!(await runs.sandboxes()).includes(kept), `${kept} is removed`);
  assert.ok((await runs.sandboxes()).includes(other), 'another workshop’s kept run stays');
  // With no run left and no class, the folder is no class's: said as before.
  const again = await runLabdeck(['env', 'down'], { cwd: ours });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^no class in \.labdeck: /);
});
