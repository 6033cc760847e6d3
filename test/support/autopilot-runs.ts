// What the tests of `labdeck autopilot --environment swarm` share: the images a run's sandbox needs (built once per
// machine), and the sandboxes their own runs made, read from what each run printed. A test removes and counts only
// those: another autopilot run on the same machine (another test, another engineer's) has its own.
import { before } from 'node:test';
import type Docker from 'dockerode';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';
import { SANDBOX_ATTENDEE_LABEL } from '../../src/engine/sandbox-spec.ts';
import { runLabdeck } from '../cli/run-cli.ts';

/** Registers a `before` hook that builds the sandbox image (the first time on a machine: minutes) and busybox's. */
export function beforeSandboxImages(docker: Docker): void {
  before(
    async () => {
      await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
      await ensureSandboxImage(docker, { log: (line) => process.stdout.write(`# ${line}\n`) });
    },
    { timeout: 900_000 },
  );
}

export class AutopilotRuns {
  readonly #ids = new Set<string>();

  constructor(private readonly docker: Docker) {}

  /** Notes the sandbox ids a run printed (`autopilot-<8 hex>`). */
  note(printed: string): void {
    for (const [id] of printed.matchAll(/autopilot-[0-9a-f]{8}/g)) this.#ids.add(id);
  }

  /** Every autopilot sandbox on this machine's swarm, by attendee id (other runs' included). */
  async sandboxes(): Promise<string[]> {
    const services = await this.docker.listServices({ filters: { label: [SANDBOX_ATTENDEE_LABEL] } });
    return services.map((service) => service.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL] ?? '').filter((id) => id.startsWith('autopilot-'));
  }

  /** The sandboxes of this test's runs that still exist. */
  async left(): Promise<string[]> {
    return (await this.sandboxes()).filter((id) => this.#ids.has(id));
  }

  /** Removes what this test's runs left (for `after`). */
  async removeLeft(cwd: string): Promise<void> {
    for (const id of await this.left().catch(() => [])) await runLabdeck(['env', 'down', id], { cwd });
  }
}
