// The `external` environment provider: machines prepared beforehand (container.training's VMs). An attendees file
// maps each attendee's name to the command their terminal runs (typically `ssh`) and the Docker endpoint their checks
// watch (`ssh://` or `tcp://` with TLS):
//
//   alice:
//     shell: ssh -o StrictHostKeyChecking=accept-new docker@10.0.0.11
//     docker: ssh://docker@10.0.0.11
//   bob:
//     shell: [ssh, docker@10.0.0.12]
//     docker: tcp://10.0.0.12:2376
//     tls: { ca: certs/ca.pem, cert: certs/bob-cert.pem, key: certs/bob-key.pem }   # relative to this file
//
// An attendee is matched by the name they join with (case and surrounding spaces ignored). Local-shell terminals
// become their shell command; other terminals run as the workshop says.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseYaml, type YamlNode as Node } from '../config/yaml-source.ts';
import type { EngineAddress } from '../engine/engine-address.ts';
import { LabdeckError } from '../errors.ts';
import { attendeeFolder, isReady, launcherTemplate, removeAttendeeFolder, reportFailure, startPreparing, writeEnterCommand } from './launcher.ts';
import type { AttendeeRef, EnvironmentProvider } from './provider.ts';

export interface ExternalAttendee {
  readonly name: string;
  readonly shell: readonly string[];
  readonly engine: EngineAddress;
  readonly line: number;
}

/** Reads and validates the attendees file; mistakes name `file:line`. */
export function readAttendeesFile(file: string): ExternalAttendee[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LabdeckError(`cannot read the attendees file ${file}`);
  }
  const source = parseYaml(text, file);
  const lineOf = (node: Node | null | undefined): number => source.locate(node).line;
  const fail = (message: string, node: Node | null | undefined): never => source.fail(message, node);
  const syntaxError = source.syntaxErrors[0];
  if (syntaxError) throw new LabdeckError(`not valid YAML: ${syntaxError.message.split('\n')[0]}`, syntaxError.location);
  const root = source.root;
  if (!isMap(root)) return fail('the attendees file must map each attendee name to { shell, docker }', root);
  const seen = new Set<string>();
  return root.items.map((pair): ExternalAttendee => {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value).trim() : '';
    if (!name) fail('an attendee name must be a non-empty string', key);
    if (seen.has(name.toLowerCase())) fail(`attendee "${name}" is listed twice`, key);
    seen.add(name.toLowerCase());
    const entry = pair.value as Node | null;
    if (!isMap(entry)) return fail(`attendee "${name}": expected { shell: COMMAND, docker: ssh://… or tcp://… }`, entry ?? key);
    const field = (field: string): Node | undefined => entry.items.find((item) => String((item.key as { value?: unknown }).value) === field)?.value as Node | undefined;
    for (const item of entry.items) {
      const known = ['shell', 'docker', 'tls'];
      const fieldName = String((item.key as { value?: unknown }).value);
      if (!known.includes(fieldName)) fail(`attendee "${name}": unknown key "${fieldName}" (known: ${known.join(', ')})`, item.key as Node);
    }
    const shellNode = field('shell');
    let shell: string[];
    if (isScalar(shellNode) && typeof shellNode.value === 'string' && shellNode.value.trim()) shell = shellNode.value.trim().split(/\s+/);
    else if (isSeq(shellNode) && shellNode.items.length > 0 && shellNode.items.every((item) => isScalar(item) && typeof item.value === 'string')) {
      shell = shellNode.items.map((item) => String((item as { value: string }).value));
    } else return fail(`attendee "${name}": "shell" must be a command line or a list of words (e.g. ssh docker@10.0.0.11)`, shellNode ?? entry);
    const dockerNode = field('docker');
    const host = isScalar(dockerNode) ? String(dockerNode.value) : '';
    // A user is required for ssh: labdeck's default (the server's own user) is rarely the machines' one.
    if (!/^(ssh:\/\/[^@/\s]+@|tcp:\/\/)[^@/\s]+$/.test(host)) return fail(`attendee "${name}": "docker" must be ssh://USER@HOST or tcp://HOST:PORT`, dockerNode ?? entry);
    const tlsNode = field('tls');
    if (host.startsWith('ssh://')) {
      if (tlsNode) fail(`attendee "${name}": "tls" is for tcp:// endpoints`, tlsNode);
      return { name, shell, engine: { host }, line: lineOf(key) };
    }
    if (!isMap(tlsNode)) return fail(`attendee "${name}": a tcp:// endpoint needs "tls": { ca, cert, key } (PEM files)`, tlsNode ?? dockerNode);
    const pem = (part: 'ca' | 'cert' | 'key'): string => {
      const node = tlsNode.items.find((item) => String((item.key as { value?: unknown }).value) === part)?.value as Node | undefined;
      const path = isScalar(node) && typeof node.value === 'string' ? resolve(dirname(file), node.value) : undefined;
      if (!path) return fail(`attendee "${name}": "tls.${part}" must be a file path`, node ?? tlsNode);
      if (!existsSync(path)) fail(`attendee "${name}": tls.${part} ${path} does not exist`, node);
      return path;
    };
    return { name, shell, engine: { host, tls: { ca: pem('ca'), cert: pem('cert'), key: pem('key') } }, line: lineOf(key) };
  });
}

export interface ExternalProviderOptions {
  readonly attendeesFile: string;
  /** Where the attendees' folders are (launcher files, the engine each one's checks watch). */
  readonly root: string;
  readonly log: (line: string) => void;
}

export function createExternalProvider(options: ExternalProviderOptions): EnvironmentProvider {
  const { root } = options;
  // Read at start, so that a mistake stops the server before the class does.
  const attendees = readAttendeesFile(options.attendeesFile);
  const entryOf = (name: string): ExternalAttendee | undefined => attendees.find((entry) => entry.name.toLowerCase() === name.trim().toLowerCase());

  return {
    kind: 'external',
    localShells: false,
    terminalCommands: (terminals) =>
      Object.fromEntries(terminals.map((terminal) => [terminal.name, terminal.localShell ? launcherTemplate(root, []) : terminal.command])),
    engineOf: (attendee) => externalEngineOf(root, attendee),
    async up(attendee: AttendeeRef) {
      startPreparing(root, attendee.id);
      const entry = entryOf(attendee.name);
      if (!entry) {
        const message = `${attendee.name} is not in the attendees file (${options.attendeesFile})`;
        reportFailure(root, attendee.id, message);
        throw new LabdeckError(message);
      }
      writeFileSync(engineFile(root, attendee.id), JSON.stringify(entry.engine));
      writeEnterCommand(root, attendee.id, entry.shell);
      options.log(`environment ${attendee.id} (${attendee.name}): ${entry.engine.host}`);
    },
    async down(attendee) {
      const had = isReady(root, attendee.id);
      removeAttendeeFolder(root, attendee.id);
      return had;
    },
    async reset(attendee) {
      removeAttendeeFolder(root, attendee.id);
      await this.up(attendee);
    },
    async status(list) {
      return list.map((attendee) => {
        const entry = entryOf(attendee.name);
        if (!entry) return { attendee, state: 'failed' as const, detail: `not in ${options.attendeesFile}` };
        return { attendee, state: isReady(root, attendee.id) ? ('ready' as const) : ('absent' as const), detail: `${entry.shell.join(' ')} · ${entry.engine.host}` };
      });
    },
  };
}

function engineFile(root: string, attendee: string): string {
  return join(attendeeFolder(root, attendee), 'engine.json');
}

/** The engine an attendee's checks watch, once `up` matched them in the attendees file (read from their folder). */
export function externalEngineOf(root: string, attendee: string): EngineAddress | undefined {
  try {
    return JSON.parse(readFileSync(engineFile(root, attendee), 'utf8')) as EngineAddress;
  } catch {
    return undefined;
  }
}
