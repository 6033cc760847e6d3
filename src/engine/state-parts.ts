// Which part of the engine's state an `/events` line makes stale, so the watch re-reads only that part.
//
// Why: re-reading everything (info + 7 lists) on every burst made a scale change cost dozens of requests, and the
// service's own event often waited behind a whole read started for its containers. An event names its object
// (Type, Action, Actor.ID; a task's container carries its service's id as a label), which is enough to know what
// changed — except for events nobody knows: those, a broken line, the start and every reconnection read it all.
import { elementAt } from '../errors.ts';

/** A part of the engine's state that can be read on its own. */
export type StatePart =
  /** info and every list. */
  | 'everything'
  /** info, nodes, every service and every task: a node changed (roles, availability, which nodes there are). */
  | 'swarm'
  /** Every task: polling while tasks converge (there are no task events). */
  | 'tasks'
  | 'containers'
  | 'networks'
  | 'secrets'
  | 'configs'
  /** One service (its spec and status) and its tasks, by service id. */
  | `service:${string}`
  /** The tasks of one service, by service id: one of its containers changed on this engine. */
  | `tasks:${string}`;

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * Container actions that change nothing the snapshot holds (id, name, labels, state): our own exec probes, `docker
 * logs`/`attach`, health checks, `docker cp`, … (re-reading for exec events would even feed a loop with the probes).
 * `kill`, `oom`, `stop` and `restart` only announce or follow the `die` and `start` that change the state: a stopping
 * task container fires kill, kill, die, stop over half a second, which would be four reads.
 */
const unchangedContainer = /^(?:exec_\w+|attach|detach|resize|top|export|commit|copy|archive-path|extract-to-dir|health_status|kill|oom|stop|restart)$/;
/** A container joining or leaving a network changes no network's name, driver, scope or attachability. */
const unchangedNetwork = new Set(['connect', 'disconnect']);
/** Event types about things the snapshot does not hold at all. */
const outsideSnapshot = new Set(['image', 'volume', 'plugin', 'builder']);

/** What to re-read after one line of the `/events` stream (none: nothing the snapshot holds changed). */
export function partsChangedBy(line: string): StatePart[] {
  if (!line.trim()) return [];
  let event: EngineEvent;
  try {
    event = JSON.parse(line) as EngineEvent;
  } catch {
    return ['everything'];
  }
  const action = event.Action ?? '';
  const id = event.Actor?.ID;
  switch (event.Type) {
    case 'service':
      return id ? [`service:${id}`] : ['everything'];
    case 'node':
      return ['swarm'];
    case 'secret':
      return ['secrets'];
    case 'config':
      return ['configs'];
    case 'network':
      return unchangedNetwork.has(action) ? [] : ['networks'];
    case 'container': {
      // Some actions carry details after a colon: `exec_start: sh -c …`, `health_status: healthy`.
      if (unchangedContainer.test(elementAt(action.split(':'), 0).trim())) return [];
      // A task's container starting or dying is the only sign of its task changing state on this engine.
      const service = event.Actor?.Attributes?.['com.docker.swarm.service.id'];
      return service ? ['containers', `tasks:${service}`] : ['containers'];
    }
    default:
      return event.Type !== undefined && outsideSnapshot.has(event.Type) ? [] : ['everything'];
  }
}
