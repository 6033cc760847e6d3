// Exec and dns checks need evidence from inside a container. This file says, purely, which command answers a check
// (a Probe, with a key so results can be cached and shared) and how to read a resolver's output.
import { elementAt } from '../errors.ts';
import type { ContainerTarget, DnsCheck, ExecCheck } from './spec.ts';

export interface Probe {
  /** Same key = same command in the same container: one run serves every check that needs it. */
  readonly key: string;
  readonly target: ContainerTarget;
  readonly argv: readonly string[];
}

export function probeFor(check: ExecCheck | DnsCheck): Probe {
  const argv =
    check.kind === 'exec'
      ? typeof check.command === 'string'
        ? ['sh', '-c', check.command]
        : [...check.command]
      : // getent asks the libc resolver (what programs see); images without it (busybox) fall back to nslookup.
        ['sh', '-c', 'getent ahosts "$1" 2>/dev/null || nslookup "$1" 2>&1', 'sh', check.name];
  return { key: JSON.stringify([describeTarget(check.target), argv]), target: check.target, argv };
}

export function describeTarget(target: ContainerTarget): string {
  if ('service' in target) return `service \`${target.service}\``;
  return `container with ${Object.entries(target.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}`;
}

const ipv4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const ipv6 = /^[0-9a-f]*:[0-9a-f:.]+$/i;

/**
 * The distinct addresses in `getent ahosts` or `nslookup` output (busybox and bind flavours). nslookup first prints
 * the server it asked (`Server:` / `Address:` up to a blank line): those lines are not answers.
 */
export function parseResolvedAddresses(output: string): string[] {
  const lines = output.split('\n');
  const serverEnd = lines.findIndex((line) => line.trim() === '');
  const answers = /^\s*Server:/m.test(output) && serverEnd >= 0 ? lines.slice(serverEnd) : lines;
  const found = new Set<string>();
  for (const line of answers) {
    if (/can't find|NXDOMAIN|SERVFAIL/i.test(line)) continue;
    const nslookupAnswer = /^\s*Address(?:\s+\d+)?:\s*(\S+)/.exec(line);
    const word = nslookupAnswer ? elementAt(nslookupAnswer, 1) : (line.trim().split(/\s+/)[0] ?? '');
    const address = word.replace(/#\d+$/, '');
    if (ipv4.test(address) || ipv6.test(address)) found.add(address);
  }
  return [...found];
}
