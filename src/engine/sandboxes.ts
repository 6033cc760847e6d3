// Per-attendee sandboxes as Docker Swarm services (their spec: sandbox-spec.ts): created, waited for, given the
// images a class needs (copied from the outer engine, no registry), listed, and removed with their volume.
import type Docker from 'dockerode';
import { inspectImageByName } from './import-image.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, sandboxNames, sandboxServiceSpec, type SandboxDefinition } from './sandbox-spec.ts';

export type SandboxState = 'running' | 'starting' | 'failed';

export interface SandboxStatus {
  readonly attendee: string;
  readonly name: string;
  readonly service: string;
  readonly state: SandboxState;
  /** The node its task runs on (a node id). */
  readonly node: string | undefined;
  /** Why it is not running, when its task says. */
  readonly problem: string | undefined;
}

/** Creates the sandbox's service unless it exists already. */
export async function createSandbox(docker: Docker, definition: SandboxDefinition): Promise<'created' | 'exists'> {
  const { service } = sandboxNames(definition.classId, definition.attendee);
  if (await findService(docker, service)) return 'exists';
  await docker.createService(sandboxServiceSpec(definition));
  return 'created';
}

/**
 * Waits until the sandbox's task runs and its inner engine answers; resolves to the sandbox's container id (on this
 * engine). `inner` is the inner engine's connection.
 */
export async function waitForSandbox(
  docker: Docker, inner: Docker, classId: string, attendee: string, options: { timeoutMs: number; log: (line: string) => void },
): Promise<string> {
  const { service } = sandboxNames(classId, attendee);
  const deadline = Date.now() + options.timeoutMs;
  let said = '';
  const say = (line: string): void => {
    if (line !== said) options.log(line);
    said = line;
  };
  for (;;) {
    const task = await currentTask(docker, service);
    const containerId = task?.Status?.ContainerStatus?.ContainerID;
    if (task?.Status?.State === 'running' && containerId) {
      say('the sandbox runs; waiting for its Docker engine');
      if (await inner.ping().then(() => true, () => false)) return containerId;
    } else {
      say(`sandbox task: ${task?.Status?.State ?? 'not scheduled yet'}${task?.Status?.Err ? ` (${task.Status.Err})` : ''}`);
    }
    if (Date.now() > deadline) throw new Error(`the sandbox ${service} was not ready within ${options.timeoutMs / 1000} s (${said})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Copies images from the outer engine into the inner one (`docker save | docker load`), skipping those the outer
 * engine lacks and those the inner one already has; resolves to the names it copied.
 */
export async function preloadImages(outer: Docker, inner: Docker, images: readonly string[], log: (line: string) => void): Promise<string[]> {
  const copied: string[] = [];
  for (const name of images) {
    const source = await inspectImageByName(outer, name);
    if (!source) continue;
    if ((await inspectImageByName(inner, name))?.Id === source.Id) continue;
    log(`loading ${name} into the sandbox's engine`);
    const tar = await outer.getImage(name).get();
    const progress = await inner.loadImage(tar, { quiet: true });
    await new Promise<void>((resolve, reject) => {
      inner.modem.followProgress(progress, (error: Error | null, messages: { error?: string }[]) => {
        const failure = error ?? messages.find((m) => m.error)?.error;
        if (failure) reject(failure instanceof Error ? failure : new Error(failure));
        else resolve();
      });
    });
    copied.push(name);
  }
  return copied;
}

/** The class's sandboxes, each with the state of its latest task. */
export async function listSandboxes(docker: Docker, classId: string): Promise<SandboxStatus[]> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  return Promise.all(services.map(async (service): Promise<SandboxStatus> => {
    const labels = service.Spec?.Labels ?? {};
    const task = await currentTask(docker, service.Spec!.Name!);
    const taskState = task?.Status?.State;
    const state: SandboxState = taskState === 'running' ? 'running' : taskState === 'failed' || taskState === 'rejected' ? 'failed' : 'starting';
    return {
      attendee: labels[SANDBOX_ATTENDEE_LABEL] ?? '',
      name: labels[SANDBOX_NAME_LABEL] ?? '',
      service: service.Spec!.Name!,
      state,
      node: task?.NodeID,
      problem: task?.Status?.Err,
    };
  }));
}

/**
 * Removes the sandbox: its service, its container right away, then its volume (the inner engine's images, containers
 * and swarm). True when there was something to remove. The volume lives on the node that ran the task: removed
 * here when that is this engine's node.
 */
export async function removeSandbox(docker: Docker, classId: string, attendee: string, timeoutMs = 30_000): Promise<boolean> {
  const names = sandboxNames(classId, attendee);
  const service = await findService(docker, names.service);
  if (service) await docker.getService(service.ID!).remove().catch(ignoreGone);
  const deadline = Date.now() + timeoutMs;
  // The swarm removes the task's container asynchronously; removing it here frees the volume without waiting.
  for (;;) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${names.service}`] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(ignoreGone)));
    try {
      await docker.getVolume(names.volume).remove();
      return true;
    } catch (problem) {
      const status = (problem as { statusCode?: number }).statusCode;
      if (status === 404) return service !== undefined;
      // 409: still in use by a container the swarm is removing.
      if (status !== 409 || Date.now() > deadline) throw problem;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** This engine's swarm node id (sandboxes reached through a host folder are pinned to it). */
export async function localNodeId(docker: Docker): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { NodeID?: string; LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.NodeID) {
    throw new Error('this engine is not part of a swarm: sandboxes are swarm services (run `docker swarm init` on the class machine)');
  }
  return info.Swarm.NodeID;
}

async function findService(docker: Docker, name: string): Promise<Docker.Service | undefined> {
  const services = await docker.listServices({ filters: { name: [name] } });
  return services.find((s) => s.Spec?.Name === name) as Docker.Service | undefined;
}

interface TaskView {
  NodeID?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}

/** The service's most recent task (the one a restart replaced its predecessor with). */
async function currentTask(docker: Docker, service: string): Promise<TaskView | undefined> {
  const tasks = (await docker.listTasks({ filters: { service: [service] } })) as TaskView[];
  return [...tasks].sort((a, b) => String(b.UpdatedAt).localeCompare(String(a.UpdatedAt)))[0];
}

function ignoreGone(problem: unknown): void {
  const status = (problem as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw problem;
}
