// Running a command inside a container of the local engine: the evidence for exec and dns checks.
// Exec reaches only containers on the engine we talk to, so a service's container is looked up there.
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import type { ProbeResult } from '../checks/engine-state.ts';
import type { Probe } from '../checks/probes.ts';
import type { ContainerTarget } from '../checks/spec.ts';
import { describeTarget } from '../checks/probes.ts';
import { elementAt } from '../errors.ts';

export interface ExecOptions {
  /** Give up waiting for the command after this long (it keeps running in the container). */
  readonly timeoutMs?: number;
  /** Cap on the output kept (the tail is what explains a failure). */
  readonly maxOutputBytes?: number;
}

export interface ExecOutcome {
  readonly exitCode: number;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

/** A running container matching the target on this engine, or undefined. */
export async function findContainer(docker: Docker, target: ContainerTarget): Promise<string | undefined> {
  const labels = 'service' in target ? { 'com.docker.swarm.service.name': target.service } : target.labels;
  const containers = await docker.listContainers({
    filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`), status: ['running'] },
  });
  return containers.sort((a, b) => b.Created - a.Created)[0]?.Id;
}

/** Runs argv in the container and waits for it to finish: ExitCode means nothing while `Running` is still true. */
export async function execInContainer(docker: Docker, containerId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024;
  const exec = await docker.getContainer(containerId).exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  let output = '';
  const collect = new PassThrough();
  collect.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-maxOutput);
  });
  docker.modem.demuxStream(stream, collect, collect);
  const deadline = Date.now() + timeoutMs;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, timeoutMs);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const state = await exec.inspect();
    if (!state.Running) return { exitCode: state.ExitCode ?? -1, output };
    if (Date.now() > deadline) throw new Error(`\`${argv.join(' ')}\` did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Runs a check's probe: finds its container, executes, and turns every failure into a result with a reason. */
export async function runProbe(docker: Docker, probe: Probe, options: ExecOptions = {}): Promise<ProbeResult> {
  try {
    const container = await findContainer(docker, probe.target);
    if (!container) {
      const what = 'service' in probe.target ? `container of service \`${probe.target.service}\`` : describeTarget(probe.target);
      return { ok: false, error: `no running ${what} on this engine`, at: Date.now() };
    }
    const outcome = await execInContainer(docker, container, probe.argv, options);
    return { ok: true, exitCode: outcome.exitCode, output: outcome.output, at: Date.now() };
  } catch (problem) {
    return { ok: false, error: elementAt((problem as Error).message.split('\n'), 0), at: Date.now() };
  }
}
