// What the swarm-provider tests share: a terminal run in a PTY (the launcher, then `ssh -tt` into a sandbox), and the
// removal of whatever a failed test left of a class on the engine.
import type Docker from 'dockerode';
import * as pty from 'node-pty';
import { SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';

/** Runs a terminal's argv in a PTY, types `input`, and resolves to everything it printed once it exits (30 s at most). */
export function runInTerminal(argv: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const terminal = pty.spawn(argv[0] ?? 'sh', argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
    let output = '';
    const timer = setTimeout(() => {
      terminal.kill();
      reject(new Error(`terminal did not exit; it printed:\n${output}`));
    }, 30_000);
    terminal.onData((data) => {
      output += data;
    });
    terminal.onExit(() => {
      clearTimeout(timer);
      resolve(output);
    });
    terminal.write(input);
  });
}

/** Removes every service, secret, container and volume labelled for the class (best effort: for `after` hooks). */
export async function removeClassLeftovers(docker: Docker, classId: string): Promise<void> {
  const mine = { filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } };
  const quietly = (removal: Promise<unknown>): Promise<unknown> => removal.catch(() => {});
  for (const service of await docker.listServices(mine)) await quietly(docker.getService(service.ID).remove());
  for (const secret of await docker.listSecrets(mine)) await quietly(docker.getSecret(secret.ID).remove());
  for (const container of await docker.listContainers({ all: true, ...mine })) await quietly(docker.getContainer(container.Id).remove({ force: true }));
  for (const volume of (await docker.listVolumes(mine)).Volumes ?? []) await quietly(docker.getVolume(volume.Name).remove());
}
