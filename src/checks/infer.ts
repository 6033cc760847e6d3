// When a step has no check spec, its docker commands say what state it should leave behind: `docker service create
// --name web --replicas 3 nginx` means "service web exists with 3 replicas running nginx". Commands that change no
// state (or that are not docker commands) fall back to "the attendee ran it" (`ran`). A check never names an unexpanded
// shell variable: what the line makes explicit is expanded first (shell-words.ts), and a name that still holds `$` or
// a backtick gives no check on it (an image or network only the shell knows is left out of the check).
import { elementAt } from '../errors.ts';
import { escapeRegExp } from '../text/escape-regexp.ts';
import { expandCommands, splitCommands } from './shell-words.ts';
import type { CheckSpec, NodeCheck, PublishedPort, ServiceCheck } from './spec.ts';

export interface Inference {
  readonly check: CheckSpec;
  /** True when the command implies engine state; false for the `ran` fallback. */
  readonly inferred: boolean;
}

/** The check a command line implies: one per docker command that changes state, or `ran` for the whole line. */
export function inferFromCommand(commandLine: string): Inference {
  const checks = expandCommands(commandLine)
    .map(withoutPrefixes)
    .flatMap((words) => inferDocker(words) ?? [])
    .flatMap((check) => knownOnly(check) ?? []);
  if (checks.length === 0) return { check: { kind: 'ran', pattern: ranPattern(commandLine) }, inferred: false };
  return { check: checks.length === 1 ? elementAt(checks, 0) : { kind: 'all', checks }, inferred: true };
}

/**
 * A regex matching what an attendee types for this command: the first line, spaces flexible, `<placeholders>` as
 * any word, and anything after it (extra flags) allowed.
 */
export function ranPattern(commandLine: string): string {
  const firstLine = elementAt(commandLine.trim().split('\n'), 0).trim();
  const parts = firstLine.split(/(<[^<>\s]+>)/);
  const body = parts
    .map((part, i) => (i % 2 ? '\\S+' : escapeRegExp(part)))
    .join('')
    .replace(/\s+/g, '\\s+');
  return `^\\s*${body}(?:\\s|$)`;
}

/** Text the shell still has to expand: a variable, a command substitution. */
function unexpanded(text: string): boolean {
  return /[$`]/.test(text);
}

/**
 * The check on what can be known from the line: none when the object it names is unknown, and without the image or
 * networks that are. (Constraints keep their `$VAR`: a constraint check reads it as any word.)
 */
function knownOnly(check: CheckSpec): CheckSpec | undefined {
  switch (check.kind) {
    case 'service': {
      if ((check.name !== undefined && unexpanded(check.name)) || (check.stack !== undefined && unexpanded(check.stack))) return undefined;
      const { image, networks, ...rest } = check;
      const images = image === undefined ? [] : [image].flat().filter((name) => !unexpanded(name));
      const knownNetworks = networks?.filter((name) => !unexpanded(name)) ?? [];
      return {
        ...rest,
        ...(images.length ? { image: images.length === 1 ? elementAt(images, 0) : images } : {}),
        ...(knownNetworks.length ? { networks: knownNetworks } : {}),
      };
    }
    case 'network':
    case 'secret':
    case 'config':
      return unexpanded(check.name) ? undefined : check;
    case 'node':
      return check.node !== undefined && unexpanded(check.node) ? undefined : check;
    default:
      return check;
  }
}

/** `sudo`, `VAR=x`, `time` and `ssh host` run the rest of the words as the command. */
function withoutPrefixes(words: string[]): string[] {
  let rest = words;
  for (;;) {
    if (rest[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0])) rest = rest.slice(1);
    else if (rest[0] === 'sudo' || rest[0] === 'time' || rest[0] === 'exec') rest = rest.slice(1);
    else if (rest[0] === 'ssh') {
      let i = 1;
      while (rest[i]?.startsWith('-')) i += /^-[iplFoJ]$/.test(elementAt(rest, i)) ? 2 : 1;
      rest = rest.slice(i + 1);
      // `ssh node2 "docker swarm join …"` passes the command as one word.
      if (rest.length === 1) rest = splitCommands(elementAt(rest, 0))[0] ?? [];
    } else return rest;
  }
}

interface ParsedArgs {
  readonly options: Map<string, string[]>;
  /** Words after the options: the first is the object (image, name), the rest its arguments. */
  readonly positionals: string[];
}

/**
 * docker's option syntax: `--flag value`, `--flag=value`, `-f value`; flags in `booleans` take no value. Options may
 * follow positional words, except where docker stops at the first one (`interspersed` false: the global options, and
 * `service create`, whose words after the image belong to the container's command).
 */
function parseArgs(words: readonly string[], booleans: readonly string[], aliases: Readonly<Record<string, string>> = {}, interspersed = true): ParsedArgs {
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (name: string, value: string): void => {
    options.set(name, [...(options.get(name) ?? []), value]);
  };
  let i = 0;
  for (; i < words.length; i++) {
    const word = elementAt(words, i);
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      if (!interspersed) break;
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const rawName = eq > 0 ? word.slice(0, eq) : word;
    if (/^-[a-zA-Z]{2,}$/.test(rawName)) {
      // Bundled short booleans (`-dt`); a value-taking letter at the end consumes the next word.
      for (const letter of rawName.slice(1)) {
        const name = aliases[`-${letter}`] ?? `-${letter}`;
        if (booleans.includes(name)) add(name, 'true');
        else add(name, words[++i] ?? '');
      }
      continue;
    }
    const name = aliases[rawName] ?? rawName;
    if (eq > 0) add(name, word.slice(eq + 1));
    else if (booleans.includes(name)) add(name, 'true');
    else add(name, words[++i] ?? '');
  }
  return { options, positionals: [...positionals, ...words.slice(i)] };
}

const serviceBooleans = [
  '--detach',
  '--quiet',
  '--tty',
  '--init',
  '--no-healthcheck',
  '--no-resolve-image',
  '--read-only',
  '--with-registry-auth',
  '--force',
  '--rollback',
  '--help',
];
const serviceAliases = {
  '-d': '--detach',
  '-q': '--quiet',
  '-t': '--tty',
  '-p': '--publish',
  '-e': '--env',
  '-l': '--label',
  '-u': '--user',
  '-w': '--workdir',
  '--net': '--network',
};

function inferDocker(words: readonly string[]): CheckSpec[] | undefined {
  if (words[0] !== 'docker') return undefined;
  const global = parseArgs(words.slice(1), ['-D', '--debug', '--tls', '--tlsverify', '-v', '--version'], {}, false);
  const [group, action, ...args] = global.positionals;
  if (action === undefined) return undefined;
  const key = `${group} ${action}`;
  switch (key) {
    case 'service create':
      return inferServiceCreate(args);
    case 'service update':
      return inferServiceUpdate(args);
    case 'service scale': {
      const { positionals } = parseArgs(args, serviceBooleans, serviceAliases);
      const scaled = positionals.map((pair) => /^([^=]+)=(\d+)$/.exec(pair)).filter((m) => m !== null);
      return scaled.length ? scaled.map((m) => ({ kind: 'service', name: elementAt(m, 1), replicas: Number(m[2]), running: 'desired' })) : undefined;
    }
    case 'service rm':
    case 'service remove':
      return parseArgs(args, []).positionals.map((name) => ({ kind: 'service', name, absent: true }));
    case 'network create': {
      const { options, positionals } = parseArgs(args, ['--attachable', '--internal', '--ingress', '--ipv6', '--config-only'], { '-d': '--driver' });
      const name = positionals[0];
      if (!name) return undefined;
      const driver = last(options.get('--driver'));
      const scope = last(options.get('--scope'));
      return [
        {
          kind: 'network',
          name,
          ...(driver ? { driver } : {}),
          ...(scope === 'swarm' || scope === 'local' || scope === 'global' ? { scope } : {}),
          ...(options.has('--attachable') ? { attachable: true } : {}),
        },
      ];
    }
    case 'network rm':
    case 'network remove':
      return parseArgs(args, ['--force', '-f']).positionals.map((name) => ({ kind: 'network', name, absent: true }));
    case 'swarm init':
      return [{ kind: 'node', self: true, role: 'manager' }];
    case 'swarm join':
      return [{ kind: 'node', count: { min: 2 } }];
    case 'swarm leave':
      return [{ kind: 'node', self: true, count: 0 }];
    case 'node update':
      return inferNodeUpdate(args);
    case 'node promote':
    case 'node demote': {
      const role = action === 'promote' ? 'manager' : 'worker';
      return parseArgs(args, []).positionals.map((node): NodeCheck => ({ kind: 'node', node, role }));
    }
    case 'stack deploy':
    case 'stack up': {
      const name = parseArgs(args, ['--prune', '--with-registry-auth'], { '-c': '--compose-file' }).positionals[0];
      return name ? [{ kind: 'service', stack: name, running: 'desired' }] : undefined;
    }
    case 'stack rm':
    case 'stack remove':
    case 'stack down':
      return parseArgs(args, []).positionals.map((stack) => ({ kind: 'service', stack, absent: true }));
    case 'secret create':
    case 'config create': {
      const name = parseArgs(args, [], { '-l': '--label', '-d': '--driver' }).positionals[0];
      return name ? [{ kind: group as 'secret' | 'config', name }] : undefined;
    }
    case 'secret rm':
    case 'config rm':
      return parseArgs(args, []).positionals.map((name) => ({ kind: group as 'secret' | 'config', name, absent: true }));
    default:
      return undefined;
  }
}

function inferServiceCreate(args: readonly string[]): CheckSpec[] | undefined {
  const { options, positionals } = parseArgs(args, serviceBooleans, serviceAliases, false);
  const name = last(options.get('--name'));
  // Without --name the engine picks a random name: nothing to look for.
  if (!name || !positionals[0]) return undefined;
  const mode = last(options.get('--mode'));
  const replicas = last(options.get('--replicas'));
  const endpointMode = last(options.get('--endpoint-mode'));
  const isJob = mode?.endsWith('-job') ?? false;
  const networks = options.get('--network');
  const published = options.get('--publish');
  const check: ServiceCheck = {
    kind: 'service',
    name,
    image: positionals[0],
    ...(mode === 'global' ? { mode: 'global' } : {}),
    ...(replicas !== undefined && /^\d+$/.test(replicas) ? { replicas: Number(replicas) } : {}),
    ...(networks ? { networks: networks.map(networkName) } : {}),
    ...(options.has('--constraint') ? { constraints: options.get('--constraint') } : {}),
    ...(endpointMode === 'vip' || endpointMode === 'dnsrr' ? { endpointMode } : {}),
    ...(published ? { ports: published.map(parsePublish).filter((p) => p !== undefined) } : {}),
    ...(isJob ? {} : { running: 'desired' as const }),
  };
  return [check];
}

function inferServiceUpdate(args: readonly string[]): CheckSpec[] | undefined {
  const { options, positionals } = parseArgs(args, serviceBooleans, serviceAliases);
  const name = positionals[positionals.length - 1];
  if (!name) return undefined;
  const replicas = last(options.get('--replicas'));
  const image = last(options.get('--image'));
  const endpointMode = last(options.get('--endpoint-mode'));
  const networks = options.get('--network-add');
  const published = options.get('--publish-add');
  return [
    {
      kind: 'service',
      name,
      ...(replicas !== undefined && /^\d+$/.test(replicas) ? { replicas: Number(replicas) } : {}),
      ...(image ? { image } : {}),
      ...(networks ? { networks: networks.map(networkName) } : {}),
      ...(options.has('--constraint-add') ? { constraints: options.get('--constraint-add') } : {}),
      ...(endpointMode === 'vip' || endpointMode === 'dnsrr' ? { endpointMode } : {}),
      ...(published ? { ports: published.map(parsePublish).filter((p) => p !== undefined) } : {}),
      running: 'desired',
    },
  ];
}

function inferNodeUpdate(args: readonly string[]): CheckSpec[] | undefined {
  const { options, positionals } = parseArgs(args, []);
  const node = positionals[0];
  if (!node) return undefined;
  const availability = last(options.get('--availability'));
  const role = last(options.get('--role'));
  const labels = Object.fromEntries(
    (options.get('--label-add') ?? []).map((label) => {
      const eq = label.indexOf('=');
      return eq < 0 ? [label, ''] : [label.slice(0, eq), label.slice(eq + 1)];
    }),
  );
  return [
    {
      kind: 'node',
      node,
      ...(availability === 'active' || availability === 'pause' || availability === 'drain' ? { availability } : {}),
      ...(role === 'manager' || role === 'worker' ? { role } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
    },
  ];
}

/** `--network name=net,alias=x` (long syntax) or `--network net`. */
function networkName(value: string): string {
  if (!value.includes('=')) return value;
  const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=') as [string, string]));
  return fields.name ?? fields.target ?? value;
}

/** `-p 8000:80`, `-p 8000:80/udp`, `-p 80`, `--publish published=8080,target=80,protocol=udp`. */
export function parsePublish(value: string): PublishedPort | undefined {
  if (value.includes('=')) {
    const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=') as [string, string]));
    const target = Number(fields.target);
    if (!Number.isInteger(target)) return undefined;
    const protocol = fields.protocol as PublishedPort['protocol'] | undefined;
    return { target, ...(fields.published ? { published: Number(fields.published) } : {}), ...(protocol ? { protocol } : {}) };
  }
  const match = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(value);
  if (!match) return undefined;
  return {
    target: Number(match[2]),
    ...(match[1] ? { published: Number(match[1]) } : {}),
    ...(match[3] ? { protocol: match[3] as PublishedPort['protocol'] } : {}),
  };
}

function last(values: readonly string[] | undefined): string | undefined {
  return values?.[values.length - 1];
}

/** `docker exec -ti <id> sh`, `docker run -it alpine sh`: after this, the attendee types inside a container. */
export function entersContainerShell(commandLine: string): boolean {
  return splitCommands(commandLine)
    .map(withoutPrefixes)
    .some((words) => {
      const start = words[0] === 'docker' ? (words[1] === 'container' ? 2 : 1) : -1;
      const action = words[start];
      if (start < 0 || (action !== 'exec' && action !== 'run')) return false;
      const flags = words
        .slice(start + 1)
        .filter((w) => /^-[a-zA-Z]+$/.test(w))
        .join('');
      const interactive = (flags.includes('i') || words.includes('--interactive')) && (flags.includes('t') || words.includes('--tty'));
      const last = elementAt(words, words.length - 1);
      return interactive && /^(\/bin\/|\/usr\/bin\/)?(ba|a|z)?sh$/.test(last);
    });
}

/** ssh's options that take a value (`-p 2222`, or attached: `-p2222`). */
const SSH_VALUE_OPTIONS = 'BbcDEeFIiJLlmOopQRSWw';
/** Options after which ssh gives no interactive shell: no command (-N), in the background (-f), not a login (-G, -V, -O, -Q, -W). */
const SSH_NO_SHELL_OPTIONS = /[NfGVOQW]/;

/**
 * The host an `ssh` command line opens an interactive shell on (no remote command, or only a shell: `ssh node2`,
 * `ssh node2 bash`), else undefined. Only a line that is that one command: what follows it (`ssh node2; hostname`)
 * would run on this side once the shell is left.
 */
export function entersRemoteShell(commandLine: string): string | undefined {
  const commands = splitCommands(commandLine);
  if (commands.length !== 1) return undefined;
  let words = commands[0] ?? [];
  while (words[0] === 'sudo' || words[0] === 'exec') words = words.slice(1);
  if (words[0] !== 'ssh') return undefined;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('-') || word === '-') break;
    const letters = word.slice(1);
    for (let at = 0; at < letters.length; at++) {
      const letter = letters[at] ?? '';
      if (SSH_NO_SHELL_OPTIONS.test(letter)) return undefined;
      if (SSH_VALUE_OPTIONS.includes(letter)) {
        if (at === letters.length - 1) i++; // the value is the next word
        break;
      }
    }
  }
  const host = words[i];
  const remote = words.slice(i + 1);
  if (host === undefined) return undefined;
  if (remote.length === 0 || (remote.length === 1 && /^(\/bin\/|\/usr\/bin\/)?(ba|z)?sh$/.test(remote[0] ?? ''))) return host;
  return undefined;
}

/** Whether a command line runs the docker CLI, substitutions included (so it runs on the host, where the terminal's
 * shell integration sees it: workshop containers have no docker CLI). */
export function runsDocker(commandLine: string): boolean {
  return /(?:^|[\s;&|(`])docker\s/.test(commandLine);
}

/** A swarm object a command creates, by the name the command gives it. */
export interface CreatedObject {
  readonly kind: 'service' | 'network' | 'stack' | 'secret' | 'config';
  readonly name: string;
}

/**
 * What a command line creates on the swarm (`service create --name`, `network create`, `stack deploy`, `secret` and
 * `config create`), so that a lab can be brought back to its state before the workshop ran. Names only the shell
 * knows are left out.
 */
export function createdObjects(commandLine: string): CreatedObject[] {
  return expandCommands(commandLine)
    .map(withoutPrefixes)
    .flatMap((words): CreatedObject[] => {
      if (words[0] !== 'docker') return [];
      const [group, action, ...args] = parseArgs(words.slice(1), ['-D', '--debug', '--tls', '--tlsverify', '-v', '--version'], {}, false).positionals;
      let created: CreatedObject | undefined;
      if (group === 'service' && action === 'create') {
        const name = last(parseArgs(args, serviceBooleans, serviceAliases, false).options.get('--name'));
        created = name === undefined ? undefined : { kind: 'service', name };
      } else if (group === 'network' && action === 'create') {
        const name = parseArgs(args, ['--attachable', '--internal', '--ingress', '--ipv6', '--config-only'], { '-d': '--driver' }).positionals[0];
        created = name === undefined ? undefined : { kind: 'network', name };
      } else if (group === 'stack' && (action === 'deploy' || action === 'up')) {
        const name = parseArgs(args, ['--prune', '--with-registry-auth'], { '-c': '--compose-file' }).positionals[0];
        created = name === undefined ? undefined : { kind: 'stack', name };
      } else if ((group === 'secret' || group === 'config') && action === 'create') {
        const name = parseArgs(args, [], { '-l': '--label', '-d': '--driver' }).positionals[0];
        created = name === undefined ? undefined : { kind: group, name };
      }
      return created && !unexpanded(created.name) ? [created] : [];
    });
}
