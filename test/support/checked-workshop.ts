// A real labdeck server with live step results on a throwaway workshop, against the real engine: one chapter whose
// hands-on steps create a uniquely named service (checked through a spec in `exercises/`), and a manual step.
// Used by the results-channel test, the Chromium e2e and the checks benchmark.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { startLiveChecks, type LiveChecks } from '../../src/workshop/live-checks.ts';
import { listChapterFiles, loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { listSpecFiles } from '../../src/workshop/spec-files.ts';

export const busyboxImage = 'labdeck/busybox:latest';

export interface CheckedWorkshop {
  readonly docker: Docker;
  /** The service the first step creates (unique per run). */
  readonly service: string;
  readonly dir: string;
  readonly server: RunningServer;
  readonly checks: LiveChecks;
  readonly deck: LiveDeck;
  /** The ids of the two steps: create the service, then the manual one. */
  readonly stepIds: readonly [string, string];
  /** Creates the service (1 replica of busybox sleeping). */
  createService(replicas?: number): Promise<void>;
  /** `docker service update --replicas N`, through the API. */
  scaleService(replicas: number): Promise<void>;
  /** Removes the service if it exists. */
  removeService(): Promise<void>;
  close(): Promise<void>;
}

export interface CheckedWorkshopOptions {
  readonly log?: (line: string) => void;
  /** The fields of the first step's service check, as YAML lines (default `running: 1`). */
  readonly serviceCheck?: readonly string[];
}

export async function startCheckedWorkshop(options: CheckedWorkshopOptions = {}): Promise<CheckedWorkshop> {
  const docker = connectEngine({ host: process.env.DOCKER_HOST });
  await ensureBusyboxImage(docker);
  const service = `lt-steps-${Math.random().toString(36).slice(2, 8)}`;
  // Tasks go on an overlay network of their own: this engine has no default bridge for them to use.
  const network = `${service}-net`;
  await docker.createNetwork({ Name: network, Driver: 'overlay', Attachable: true, CheckDuplicate: true });
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-checks-'));
  await mkdir(join(dir, 'slides'));
  await mkdir(join(dir, 'exercises'));
  await writeFile(join(dir, 'workshop.yml'), 'title: Checks\nchat: chat\ngitrepo: example.org/repo\nslides: http://example.org/\ncontent:\n- slides/lab.md\n');
  await writeFile(
    join(dir, 'slides', 'lab.md'),
    [
      'name: start',
      '',
      '# Checks',
      '',
      '---',
      '',
      'name: lab',
      '',
      '## A service',
      '',
      '.exercise[',
      '',
      '- Create the service:',
      '  ```bash',
      `  docker service create --name ${service} labdeck/busybox sleep 1d`,
      '  ```',
      '',
      '- Look at its logs in your head',
      '',
      ']',
      '',
    ].join('\n'),
  );
  // The spec names the service by <name> in its reason: attendees' names reach pages through reasons like this one.
  await writeFile(
    join(dir, 'exercises', 'lab.yml'),
    `steps:\n  - slide: lab\n    step: 1\n    check:\n      service: ${service}\n${(options.serviceCheck ?? ['running: 1']).map((line) => `      ${line}\n`).join('')}`,
  );

  const log = options.log ?? (() => {});
  const manifest = join(dir, 'workshop.yml');
  const deck = await LiveDeck.start({
    load: async () => {
      const { workshop, deck: loaded } = await loadDeck(manifest);
      return { deck: loaded, title: workshop.pageTitle, ratio: workshop.ratio, files: [manifest, ...listChapterFiles(workshop), ...listSpecFiles(manifest)] };
    },
    log,
  });
  const checks = startLiveChecks({ manifest, deck, engine: { host: process.env.DOCKER_HOST }, log, engineWatch: { pollIntervalMs: 500 } });
  const access = createAccess({ openToLocalAttendee: true, watcherToken: 'watcher-token' });
  const server = await startServer(
    { deck, workshopDir: dir, assetsDir: fileURLToPath(new URL('../../public/', import.meta.url)), log, access, stepResults: checks.environmentOf },
    { port: 0, host: '127.0.0.1' },
  );
  const steps = deck.current().steps;

  const removeService = async (): Promise<void> => {
    try {
      await docker.getService(service).remove();
    } catch {
      /* already gone */
    }
  };
  return {
    docker,
    service,
    dir,
    server,
    checks,
    deck,
    stepIds: [steps[0]!.id, steps[1]!.id],
    async createService(replicas = 1) {
      await docker.createService({
        Name: service,
        Mode: { Replicated: { Replicas: replicas } },
        // `sleep` as PID 1 ignores SIGTERM: a short grace period keeps removals quick.
        TaskTemplate: {
          ContainerSpec: { Image: busyboxImage, Command: ['sleep', '1000000'], StopGracePeriod: 100_000_000 },
          Networks: [{ Target: network }],
        },
      } as unknown as Docker.CreateServiceOptions);
    },
    async scaleService(replicas) {
      const handle = docker.getService(service);
      const current = await handle.inspect();
      await handle.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Mode: { Replicated: { Replicas: replicas } } } } as never);
    },
    removeService,
    async close() {
      await removeService();
      await server.close();
      checks.dispose();
      deck.dispose();
      // The network is released once the service's tasks are gone.
      for (let attempt = 0; attempt < 80; attempt++) {
        try {
          await docker.getNetwork(network).remove();
          break;
        } catch (problem) {
          if ((problem as { statusCode?: number }).statusCode === 404) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
