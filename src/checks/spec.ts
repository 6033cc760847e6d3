// What "done" means for a hands-on step: check specs as plain, JSON-serialisable data (regexes stay strings, so a
// check can travel to the browser and to `labdeck check --json` unchanged). Pure types, no behaviour.

/** A number of things: exactly `n`, or a range (either bound optional, both inclusive). */
export type Count = number | { readonly min?: number; readonly max?: number };

/** Which container an exec/dns check runs in, on the local engine: a service's task, or any container with labels. */
export type ContainerTarget = { readonly service: string } | { readonly labels: Readonly<Record<string, string>> };

export interface PublishedPort {
  /** Undefined = any published port (the engine picks one when `-p 80` names only the target). */
  readonly published?: number;
  readonly target: number;
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
}

/** A swarm service, selected by exact name, or every service of a stack (`com.docker.stack.namespace`). */
export interface ServiceCheck {
  readonly kind: 'service';
  readonly name?: string;
  readonly stack?: string;
  /** True: the service (or every service of the stack) must not exist. */
  readonly absent?: boolean;
  /** Desired replicas (`Mode.Replicated.Replicas`). */
  readonly replicas?: number;
  /** Tasks in state running. For a stack: checked on each service. `'desired'` = as many as the service wants. */
  readonly running?: Count | 'desired';
  /** Any of these images (tag and digest normalised: `alpine` = `docker.io/library/alpine:latest@sha256:…`). */
  readonly image?: string | readonly string[];
  /** Network names the service must be attached to (the spec holds IDs; the snapshot maps them). */
  readonly networks?: readonly string[];
  /** Placement constraints that must be present; `$VAR` in an expected constraint matches any word. */
  readonly constraints?: readonly string[];
  readonly endpointMode?: 'vip' | 'dnsrr';
  readonly ports?: readonly PublishedPort[];
  readonly mode?: 'replicated' | 'global';
}

export interface NetworkCheck {
  readonly kind: 'network';
  readonly name: string;
  readonly absent?: boolean;
  readonly driver?: string;
  readonly scope?: 'swarm' | 'local' | 'global';
  readonly attachable?: boolean;
}

/** Counts the swarm nodes matching every given filter; without `count`, at least one must match. */
export interface NodeCheck {
  readonly kind: 'node';
  /** Hostname or ID (or unique ID prefix) of one node. */
  readonly node?: string;
  /** Only the node of the engine labdeck talks to. */
  readonly self?: boolean;
  readonly role?: 'manager' | 'worker';
  readonly availability?: 'active' | 'pause' | 'drain';
  readonly labels?: Readonly<Record<string, string>>;
  readonly count?: Count;
}

/** Containers on the local engine carrying all the labels; by default at least one, running. */
export interface ContainerCheck {
  readonly kind: 'container';
  readonly labels: Readonly<Record<string, string>>;
  /** True (default): running; false: present but not running. */
  readonly running?: boolean;
  /** Hostname or ID of the swarm node the container's task must be on. */
  readonly onNode?: string;
  readonly count?: Count;
}

export interface ExecCheck {
  readonly kind: 'exec';
  readonly target: ContainerTarget;
  /** Run as `sh -c <command>` when a string, as argv when an array. */
  readonly command: string | readonly string[];
  /** A regex the combined stdout+stderr must match. */
  readonly output?: string;
}

export interface DnsCheck {
  readonly kind: 'dns';
  readonly target: ContainerTarget;
  readonly name: string;
  /** How many distinct addresses the name must resolve to (`rng` → 1 VIP, `tasks.rng` → one per task). */
  readonly addresses: Count;
}

/** The attendee ran a command matching `pattern` (a regex) and it exited 0 (from the terminal's shell integration). */
export interface RanCheck {
  readonly kind: 'ran';
  readonly pattern: string;
}

/** Self-reported: the attendee says the step is done. */
export interface ManualCheck {
  readonly kind: 'manual';
  readonly prompt?: string;
}

export interface SecretCheck {
  readonly kind: 'secret' | 'config';
  readonly name: string;
  readonly absent?: boolean;
}

export interface AllCheck {
  readonly kind: 'all';
  readonly checks: readonly CheckSpec[];
}
export interface AnyCheck {
  readonly kind: 'any';
  readonly checks: readonly CheckSpec[];
}
export interface NotCheck {
  readonly kind: 'not';
  readonly check: CheckSpec;
}

export type CheckSpec =
  | ServiceCheck
  | NetworkCheck
  | NodeCheck
  | ContainerCheck
  | ExecCheck
  | DnsCheck
  | RanCheck
  | ManualCheck
  | SecretCheck
  | AllCheck
  | AnyCheck
  | NotCheck;

export type CheckKind = CheckSpec['kind'];

/** Where a step's check came from, for `labdeck check --explain`. */
export type CheckOrigin =
  | { readonly how: 'specified'; readonly file: string; readonly line: number }
  | { readonly how: 'inferred'; readonly command: string; readonly file: string; readonly line: number }
  | { readonly how: 'fallback'; readonly command: string; readonly file: string; readonly line: number };

/** The check that decides whether one step is done. */
export interface StepCheck {
  readonly stepId: string;
  readonly check: CheckSpec;
  readonly origin: CheckOrigin;
  /** How long autopilot waits for this check to pass (the spec entry's `timeout`); absent: its `--check-timeout`. */
  readonly timeoutMs?: number;
}

export type CheckStatus = 'passed' | 'failed' | 'pending' | 'error';

export interface CheckResult {
  readonly status: CheckStatus;
  /** Why it is not passed (and, when passed, what holds), in words an attendee understands. */
  readonly reason: string;
}
