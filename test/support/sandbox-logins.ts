// How many TCP connections an attendee's swarm sandbox has accepted so far: the kernel's count (PassiveOpens) in the
// sandbox's network namespace, where sshd is the only listener, so it counts ssh logins. Read from the class engine
// (docker exec), never from labdeck's own side of the connection. Used by the sandboxes test and the ssh bench.
import type Docker from 'dockerode';
import { execInContainer } from '../../src/engine/exec.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL } from '../../src/engine/sandbox-spec.ts';

export async function acceptedConnections(docker: Docker, classId: string, attendee: string): Promise<number> {
  const [container] = await docker.listContainers({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, `${SANDBOX_ATTENDEE_LABEL}=${attendee}`] } });
  if (!container) throw new Error(`no running sandbox container for ${attendee}`);
  const { exitCode, output } = await execInContainer(docker, container.Id, ['cat', '/proc/net/snmp']);
  const [names, values] = output
    .split('\n')
    .filter((line) => line.startsWith('Tcp:'))
    .map((line) => line.split(/\s+/));
  const accepted = Number(values?.[names?.indexOf('PassiveOpens') ?? -1]);
  if (exitCode !== 0 || !Number.isInteger(accepted)) throw new Error(`no PassiveOpens in the sandbox's /proc/net/snmp:\n${output}`);
  return accepted;
}
