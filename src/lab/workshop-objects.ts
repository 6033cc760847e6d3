// What a workshop's own steps create on the swarm: the services, networks, stacks, secrets and configs its docker
// commands name (`docker service create --name debug …`). `labdeck lab up` removes them to bring the lab back to its
// starting state, and autopilot warns when one is still there from an earlier run. Pure.
import { createdObjects, type CreatedObject } from '../checks/infer.ts';
import type { Step } from '../deck/steps.ts';

/** Each object once, in the order the steps create them; `bash` directives run commands too. */
export function objectsCreatedBy(steps: readonly Pick<Step, 'commands' | 'directives'>[]): CreatedObject[] {
  const objects = new Map<string, CreatedObject>();
  for (const step of steps) {
    const commands = [...step.commands, ...step.directives.filter((d) => d.kind === 'bash').map((d) => d.argument)];
    for (const object of commands.flatMap(createdObjects)) objects.set(`${object.kind} ${object.name}`, object);
  }
  return [...objects.values()];
}

/** `service debug`, `stack web (service web_front)`: how a person reads it. */
export function describeObject(object: { readonly kind: string; readonly name: string; readonly stack?: string | undefined }): string {
  return `${object.kind} ${object.name}${object.stack ? ` (stack ${object.stack})` : ''}`;
}
