// Whether a check holds, as a pure function of what is known: the engine snapshot, the terminals' command log, the
// probe results and the attendee's own confirmation. No I/O, no clock: `now` is passed in.
//
// Statuses: `passed`; `failed` = not done yet, with what is missing; `pending` = cannot tell yet (the swarm is
// converging, a probe has not answered, no snapshot yet); `error` = cannot tell at all (engine unreachable, bad spec).
import { elementAt } from '../errors.ts';
import type { CommandRecord } from '../protocol.ts';
import { escapeRegExp } from '../text/escape-regexp.ts';
import type { EngineSnapshot, NodeState, ProbeResult, ServiceState, TaskState } from './engine-state.ts';
import { describeTarget, parseResolvedAddresses, probeFor } from './probes.ts';
import type {
  CheckResult,
  CheckSpec,
  ContainerCheck,
  Count,
  DnsCheck,
  ExecCheck,
  NetworkCheck,
  NodeCheck,
  PublishedPort,
  RanCheck,
  SecretCheck,
  ServiceCheck,
} from './spec.ts';

export interface Evidence {
  /** Probe results by `Probe.key` (see probes.ts). */
  readonly probes?: ReadonlyMap<string, ProbeResult>;
  /** The attendee confirmed this step themselves (for manual checks). */
  readonly confirmed?: boolean;
}

/** A changed service gets this long to converge before missing tasks count as a failure rather than as pending. */
export const CONVERGENCE_WINDOW_MS = 60_000;

const inProgressTaskStates = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);

export function evaluateCheck(check: CheckSpec, snapshot: EngineSnapshot, commands: readonly CommandRecord[], now: number, evidence: Evidence = {}): CheckResult {
  switch (check.kind) {
    case 'ran':
      return evaluateRan(check, commands);
    case 'manual':
      return evidence.confirmed
        ? passed('confirmed by the attendee (self-reported)')
        : failed(check.prompt ? `not confirmed yet (self-reported): ${check.prompt}` : 'not confirmed yet (self-reported)');
    case 'all':
      return combineAll(check.checks.map((c) => evaluateCheck(c, snapshot, commands, now, evidence)));
    case 'any':
      return combineAny(check.checks.map((c) => evaluateCheck(c, snapshot, commands, now, evidence)));
    case 'not': {
      const inner = evaluateCheck(check.check, snapshot, commands, now, evidence);
      if (inner.status === 'passed') return failed(`expected the opposite of: ${inner.reason}`);
      if (inner.status === 'failed') return passed(`as expected, ${inner.reason}`);
      return inner;
    }
  }
  const unknown = engineUnknown(snapshot);
  if (unknown) return unknown;
  switch (check.kind) {
    case 'service':
      return evaluateService(check, snapshot, now);
    case 'network':
      return evaluateNetwork(check, snapshot);
    case 'node':
      return evaluateNode(check, snapshot);
    case 'container':
      return evaluateContainer(check, snapshot);
    case 'secret':
    case 'config':
      return evaluateSecret(check, snapshot);
    case 'exec':
      return evaluateExec(check, evidence.probes);
    case 'dns':
      return evaluateDns(check, evidence.probes);
  }
}

const passed = (reason: string): CheckResult => ({ status: 'passed', reason });
const failed = (reason: string): CheckResult => ({ status: 'failed', reason });
const pending = (reason: string): CheckResult => ({ status: 'pending', reason });
const error = (reason: string): CheckResult => ({ status: 'error', reason });

function engineUnknown(snapshot: EngineSnapshot): CheckResult | undefined {
  if (snapshot.reachable) return undefined;
  if (snapshot.error === undefined) return pending('waiting for the first look at the engine');
  return error(`engine unreachable: ${snapshot.error}`);
}

// ── counts ──────────────────────────────────────────────────────────────────────────────────────────────────────

export function countMatches(count: Count, n: number): boolean {
  if (typeof count === 'number') return n === count;
  return (count.min === undefined || n >= count.min) && (count.max === undefined || n <= count.max);
}

export function describeCount(count: Count): string {
  if (typeof count === 'number') return String(count);
  if (count.min !== undefined && count.max !== undefined) return count.min === count.max ? String(count.min) : `${count.min}–${count.max}`;
  if (count.min !== undefined) return `at least ${count.min}`;
  if (count.max !== undefined) return `at most ${count.max}`;
  return 'any number';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

// ── services ────────────────────────────────────────────────────────────────────────────────────────────────────

function evaluateService(check: ServiceCheck, snapshot: EngineSnapshot, now: number): CheckResult {
  const subject = check.name !== undefined ? `service \`${check.name}\`` : `stack \`${check.stack}\``;
  if (snapshot.swarm !== 'active') {
    return check.absent ? passed(`${subject} does not exist (no swarm)`) : failed('this engine is not part of a swarm (`docker swarm init`)');
  }
  if (!snapshot.isManager) return error('this engine is a swarm worker: services can only be seen from a manager');
  const services = snapshot.services.filter((s) => (check.name !== undefined ? s.name === check.name : s.labels['com.docker.stack.namespace'] === check.stack));
  if (check.absent) {
    if (services.length === 0) return passed(`${subject} does not exist`);
    return failed(check.name !== undefined ? `${subject} still exists` : `${subject} still has ${plural(services.length, 'service')}`);
  }
  if (services.length === 0) return failed(`${subject} does not exist`);
  const results = services.map((service) => evaluateOneService(check, service, snapshot, now));
  const combined = combineAll(results);
  if (combined.status === 'passed') {
    return passed(check.name !== undefined ? elementAt(results, 0).reason : `${subject}: ${plural(services.length, 'service')} as expected`);
  }
  return combined;
}

function evaluateOneService(check: ServiceCheck, service: ServiceState, snapshot: EngineSnapshot, now: number): CheckResult {
  const subject = `service \`${service.name}\``;
  const problems: string[] = [];
  if (check.mode !== undefined && service.mode !== check.mode) problems.push(`mode is ${service.mode}, expected ${check.mode}`);
  if (check.replicas !== undefined && service.replicas !== check.replicas) {
    problems.push(service.mode === 'global' ? `is global, expected ${check.replicas} replicas` : `${service.replicas} replicas desired, expected ${check.replicas}`);
  }
  if (check.image !== undefined) {
    const wanted = typeof check.image === 'string' ? [check.image] : check.image;
    if (!wanted.some((image) => normalizeImage(image) === normalizeImage(service.image))) {
      problems.push(`image is \`${stripDigest(service.image)}\`, expected \`${wanted.join('` or `')}\``);
    }
  }
  for (const name of check.networks ?? []) {
    const network = snapshot.networks.find((n) => n.name === name);
    if (!network || !service.networkIds.includes(network.id)) {
      const attached = service.networkIds.map((id) => snapshot.networks.find((n) => n.id === id)?.name ?? id.slice(0, 12));
      problems.push(`not attached to network \`${name}\`${network ? '' : ' (no such network)'} (attached: ${attached.join(', ') || 'none'})`);
    }
  }
  for (const constraint of check.constraints ?? []) {
    if (!service.constraints.some((c) => constraintMatches(constraint, c))) {
      problems.push(`lacks placement constraint \`${constraint}\` (has: ${service.constraints.map((c) => `\`${c}\``).join(', ') || 'none'})`);
    }
  }
  if (check.endpointMode !== undefined && service.endpointMode !== check.endpointMode) {
    problems.push(`endpoint mode is ${service.endpointMode}, expected ${check.endpointMode}`);
  }
  for (const port of check.ports ?? []) {
    if (!service.ports.some((p) => portMatches(port, p))) {
      const has = service.ports.map((p) => `${p.published ?? '?'}→${p.target}/${p.protocol}`);
      problems.push(`does not publish ${describePort(port)} (publishes: ${has.join(', ') || 'nothing'})`);
    }
  }
  if (problems.length > 0) return failed(`${subject}: ${problems.join('; ')}`);

  const expected = check.running ?? (check.stack !== undefined ? 'desired' : undefined);
  const tasks = snapshot.tasks.filter((t) => t.serviceId === service.id);
  const running = tasks.filter((t) => t.state === 'running' && t.desiredState === 'running').length;
  if (expected === undefined) return passed(`${subject} exists (${running} running)`);
  const desired = desiredTasks(service, snapshot);
  const count: Count = expected === 'desired' ? desired : expected;
  const tally = typeof count === 'number' ? `${running}/${count} tasks running` : `${plural(running, 'task')} running, expected ${describeCount(count)}`;
  if (countMatches(count, running)) return passed(`${subject}: ${tally}`);
  const detail = latestTaskTrouble(tasks);
  const reason = `${subject}: ${tally}${detail ? ` (${detail})` : ''}`;
  return isConverging(service, tasks, now) ? pending(`${reason}, converging`) : failed(reason);
}

function desiredTasks(service: ServiceState, snapshot: EngineSnapshot): number {
  if (service.replicas !== undefined) return service.replicas;
  if (service.desiredTasks !== undefined) return service.desiredTasks;
  return snapshot.nodes.filter((n) => n.availability === 'active' && n.state === 'ready').length;
}

function isConverging(service: ServiceState, tasks: readonly TaskState[], now: number): boolean {
  const moving = tasks.filter((t) => (t.desiredState === 'running' && inProgressTaskStates.has(t.state)) || (t.desiredState !== 'running' && t.state === 'running'));
  if (moving.length === 0) return false;
  const lastChange = Math.max(service.updatedAt, ...moving.map((t) => t.updatedAt));
  return now - lastChange < CONVERGENCE_WINDOW_MS;
}

/** What the most recent task that should run but does not is doing, e.g. `pending: no suitable node`. */
function latestTaskTrouble(tasks: readonly TaskState[]): string | undefined {
  const troubled = tasks.filter((t) => t.state !== 'running' && (t.desiredState === 'running' || t.error)).sort((a, b) => b.updatedAt - a.updatedAt)[0];
  if (!troubled) return undefined;
  const why = troubled.error || troubled.message;
  return `latest task ${troubled.state}${why ? `: ${why}` : ''}`;
}

function stripDigest(image: string): string {
  return image.replace(/@sha256:[0-9a-f]+$/, '');
}

/** `alpine`, `alpine:latest`, `docker.io/library/alpine:latest@sha256:…` are the same image. */
export function normalizeImage(image: string): string {
  let name = stripDigest(image.trim());
  const lastSlash = name.lastIndexOf('/');
  if (!name.slice(lastSlash + 1).includes(':')) name += ':latest';
  return name.replace(/^(?:docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

function constraintMatches(expected: string, actual: string): boolean {
  const squeeze = (s: string): string => s.replace(/\s+/g, '');
  const pattern = squeeze(expected)
    .split(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/)
    .map(escapeRegExp)
    .join('\\S+');
  return new RegExp(`^${pattern}$`).test(squeeze(actual));
}

function portMatches(expected: PublishedPort, actual: ServiceState['ports'][number]): boolean {
  return (
    expected.target === actual.target && (expected.published === undefined || expected.published === actual.published) && (expected.protocol ?? 'tcp') === actual.protocol
  );
}

function describePort(port: PublishedPort): string {
  return `${port.published ?? 'any'}→${port.target}/${port.protocol ?? 'tcp'}`;
}

// ── networks, nodes, containers, secrets ────────────────────────────────────────────────────────────────────────

function evaluateNetwork(check: NetworkCheck, snapshot: EngineSnapshot): CheckResult {
  const subject = `network \`${check.name}\``;
  const network = snapshot.networks.find((n) => n.name === check.name);
  if (check.absent) return network ? failed(`${subject} still exists`) : passed(`${subject} does not exist`);
  if (!network) return failed(`${subject} does not exist`);
  const problems: string[] = [];
  if (check.driver !== undefined && network.driver !== check.driver) problems.push(`driver is ${network.driver}, expected ${check.driver}`);
  if (check.scope !== undefined && network.scope !== check.scope) problems.push(`scope is ${network.scope}, expected ${check.scope}`);
  if (check.attachable !== undefined && network.attachable !== check.attachable) {
    problems.push(check.attachable ? 'is not attachable (create it with `--attachable`)' : 'is attachable');
  }
  return problems.length ? failed(`${subject}: ${problems.join('; ')}`) : passed(`${subject} exists (${network.driver}, ${network.scope})`);
}

function evaluateNode(check: NodeCheck, snapshot: EngineSnapshot): CheckResult {
  if (snapshot.swarm === 'active' && !snapshot.isManager && !(check.self && check.role === 'worker')) {
    return error('this engine is a swarm worker: nodes can only be seen from a manager');
  }
  const inSwarm = snapshot.swarm === 'active';
  const workerSelf: NodeState = { id: snapshot.selfNodeId, hostname: '', role: 'worker', availability: 'active', state: 'ready', labels: {} };
  const nodes = !inSwarm ? [] : snapshot.isManager ? snapshot.nodes : [workerSelf];
  let selected = nodes;
  let subject = 'nodes';
  if (check.self) {
    selected = selected.filter((n) => n.id === snapshot.selfNodeId);
    subject = 'this engine';
  }
  const wanted = check.node;
  if (wanted !== undefined) {
    const byName = selected.filter((n) => n.hostname === wanted || n.id === wanted);
    selected = byName.length ? byName : selected.filter((n) => n.id.startsWith(wanted));
    subject = `node \`${wanted}\``;
  }
  const count = check.count ?? { min: 1 };
  const identified = check.self || check.node !== undefined;
  if (identified && selected.length === 0 && !countMatches(count, 0)) {
    return failed(!inSwarm ? 'this engine is not part of a swarm (`docker swarm init`)' : `${subject}: no such node in the swarm`);
  }
  const problems: string[] = [];
  const matching = selected.filter((n) => {
    const mismatch: string[] = [];
    if (check.role !== undefined && n.role !== check.role) mismatch.push(`is a ${n.role}, expected ${check.role}`);
    if (check.availability !== undefined && n.availability !== check.availability) mismatch.push(`availability is ${n.availability}, expected ${check.availability}`);
    for (const [key, value] of Object.entries(check.labels ?? {})) {
      if (n.labels[key] !== value) mismatch.push(n.labels[key] === undefined ? `lacks label ${key}=${value}` : `label ${key}=${n.labels[key]}, expected ${value}`);
    }
    if (identified) problems.push(...mismatch);
    return mismatch.length === 0;
  });
  const filters = [
    check.role && `role ${check.role}`,
    check.availability && `availability ${check.availability}`,
    ...Object.entries(check.labels ?? {}).map(([k, v]) => `label ${k}=${v}`),
  ]
    .filter(Boolean)
    .join(', ');
  const tally = `${plural(matching.length, 'node')}${filters ? ` with ${filters}` : ''}`;
  if (countMatches(count, matching.length)) {
    return passed(
      identified && matching.length
        ? `${subject}${filters ? `: ${filters}` : ' is in the swarm'}`
        : `${tally}${check.count !== undefined ? `, expected ${describeCount(count)}` : ''}`,
    );
  }
  if (identified && problems.length) return failed(`${subject}: ${problems.join('; ')}`);
  if (identified && matching.length > 0 && countMatches(count, 0)) {
    return failed(check.self ? 'this engine is still part of a swarm' : `${subject} is still in the swarm`);
  }
  if (!inSwarm) return failed(`this engine is not part of a swarm (\`docker swarm init\`): ${tally}, expected ${describeCount(count)}`);
  return failed(`${tally}, expected ${describeCount(count)}`);
}

function evaluateContainer(check: ContainerCheck, snapshot: EngineSnapshot): CheckResult {
  const labels = Object.entries(check.labels);
  const subject = `container with ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`;
  const wantRunning = check.running ?? true;
  const labelled = snapshot.containers.filter((c) => labels.every(([k, v]) => c.labels[k] === v));
  const inState = labelled.filter((c) => (c.state === 'running') === wantRunning);
  const count = check.count ?? { min: 1 };
  const state = wantRunning ? 'running' : 'not running';
  if (!countMatches(count, inState.length)) {
    const others = labelled.length - inState.length;
    const otherStates = others ? ` (${others} ${wantRunning ? 'not running' : 'running'})` : '';
    return failed(
      inState.length === 0 && check.count === undefined
        ? `no ${state} ${subject} on this engine${otherStates}`
        : `${plural(inState.length, 'container')} ${state} with ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}, expected ${describeCount(count)}${otherStates}`,
    );
  }
  const onNode = check.onNode;
  if (onNode !== undefined) {
    // Containers are listed from the engine labdeck talks to, so they all run on its node.
    const self = snapshot.nodes.find((n) => n.id === snapshot.selfNodeId);
    const here = self ? [self.hostname, self.id] : [];
    if (!here.some((name) => name === onNode || (name.length > 12 && name.startsWith(onNode)))) {
      return failed(`${subject} runs on ${self?.hostname || 'this engine'}, not on \`${onNode}\``);
    }
  }
  return passed(`${plural(inState.length, 'container')} ${state} with ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`);
}

function evaluateSecret(check: SecretCheck, snapshot: EngineSnapshot): CheckResult {
  const subject = `${check.kind} \`${check.name}\``;
  if (snapshot.swarm !== 'active')
    return check.absent ? passed(`${subject} does not exist (no swarm)`) : failed('this engine is not part of a swarm (`docker swarm init`)');
  const exists = (check.kind === 'secret' ? snapshot.secrets : snapshot.configs).includes(check.name);
  if (check.absent) return exists ? failed(`${subject} still exists`) : passed(`${subject} does not exist`);
  return exists ? passed(`${subject} exists`) : failed(`${subject} does not exist`);
}

// ── probes: exec and dns ────────────────────────────────────────────────────────────────────────────────────────

function probeOutcome(check: ExecCheck | DnsCheck, probes: Evidence['probes']): Extract<ProbeResult, { ok: true }> | CheckResult {
  const result = probes?.get(probeFor(check).key);
  if (!result) return pending(`not checked yet inside ${describeTarget(check.target)}`);
  if (!result.ok) return failed(result.error);
  return result;
}

function evaluateExec(check: ExecCheck, probes: Evidence['probes']): CheckResult {
  const outcome = probeOutcome(check, probes);
  if ('status' in outcome) return outcome;
  const command = typeof check.command === 'string' ? check.command : check.command.join(' ');
  const where = `in ${describeTarget(check.target)}`;
  const tail = lastLines(outcome.output);
  if (outcome.exitCode !== 0) return failed(`\`${command}\` exited with ${outcome.exitCode} ${where}${tail ? `: ${tail}` : ''}`);
  if (check.output !== undefined) {
    const pattern = compile(check.output);
    if (!pattern) return error(`invalid output pattern /${check.output}/`);
    if (!pattern.test(outcome.output)) return failed(`output of \`${command}\` ${where} does not match /${check.output}/${tail ? `: ${tail}` : ''}`);
  }
  return passed(`\`${command}\` succeeded ${where}`);
}

function evaluateDns(check: DnsCheck, probes: Evidence['probes']): CheckResult {
  const outcome = probeOutcome(check, probes);
  if ('status' in outcome) return outcome;
  const addresses = parseResolvedAddresses(outcome.output);
  const found = `\`${check.name}\` resolves to ${addresses.length} address${addresses.length === 1 ? '' : 'es'} in ${describeTarget(check.target)}`;
  const list = addresses.length ? ` (${addresses.join(', ')})` : '';
  if (countMatches(check.addresses, addresses.length)) return passed(`${found}${list}`);
  return failed(`${found}${list}, expected ${describeCount(check.addresses)}`);
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-2).join(' / ').slice(0, 200);
}

function compile(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

// ── commands ────────────────────────────────────────────────────────────────────────────────────────────────────

function evaluateRan(check: RanCheck, commands: readonly CommandRecord[]): CheckResult {
  const pattern = compile(check.pattern);
  if (!pattern) return error(`invalid command pattern /${check.pattern}/`);
  const matching = commands.filter((c) => pattern.test(c.command));
  const success = matching.find((c) => c.exitCode === 0);
  if (success) return passed(`ran \`${success.command}\``);
  const last = matching[matching.length - 1];
  if (!last) return failed(`no command matching /${check.pattern}/ has run yet`);
  if (last.exitCode === undefined) return pending(`\`${last.command}\` is still running`);
  return failed(`\`${last.command}\` exited with ${last.exitCode}${last.exitCode === 130 ? ' (interrupted)' : ''}`);
}

// ── combinators ─────────────────────────────────────────────────────────────────────────────────────────────────

function combineAll(results: readonly CheckResult[]): CheckResult {
  for (const status of ['error', 'failed', 'pending'] as const) {
    const matching = results.filter((r) => r.status === status);
    if (matching.length) return { status, reason: matching.map((r) => r.reason).join('; ') };
  }
  return passed(results.map((r) => r.reason).join('; '));
}

function combineAny(results: readonly CheckResult[]): CheckResult {
  for (const status of ['passed', 'pending', 'error'] as const) {
    const first = results.find((r) => r.status === status);
    if (first) return first;
  }
  return failed(results.map((r) => r.reason).join(' — or — '));
}
