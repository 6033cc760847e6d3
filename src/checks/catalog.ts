// Every step of a deck gets exactly one check: the one exercises/*.yml specifies for it, or else the one its commands
// imply (infer.ts), or else "the attendee ran it" / "the attendee says so". Each says where it came from, for
// `labdeck check --explain`. Pure: spec files arrive as text.
import { elementAt, LabdeckError } from '../errors.ts';
import type { StepJson } from '../protocol.ts';
import { normalizeImage } from './evaluate.ts';
import { entersContainerShell, entersRemoteShell, inferFromCommand, runsDocker } from './infer.ts';
import { readSpecFile, type SpecEntry, type StepSelector } from './read-spec.ts';
import type { CheckOrigin, CheckSpec, StepCheck } from './spec.ts';

/** What the catalog needs of a deck (a `Deck` from deck/index.ts fits). */
export interface DeckOutline {
  readonly steps: readonly StepJson[];
  readonly slides: readonly { readonly position: number; readonly name: string | undefined }[];
}

export interface SpecFile {
  readonly file: string;
  readonly text: string;
}

export interface CatalogOptions {
  /**
   * Images the lab substitutes offline (`{ alpine: 'labdeck/busybox' }`): an inferred image check accepts either.
   * Specified checks say what they accept themselves.
   */
  readonly imageSubstitutes?: Readonly<Record<string, string>>;
}

export interface Catalog {
  /** One per step, in deck order. */
  readonly checks: readonly StepCheck[];
  /** Problems in the spec files; the steps they concern fall back to inference. */
  readonly errors: readonly LabdeckError[];
}

export function buildCatalog(deck: DeckOutline, specFiles: readonly SpecFile[], options: CatalogOptions = {}): Catalog {
  const errors: LabdeckError[] = [];
  const specified = new Map<string, SpecEntry>();
  for (const { file, text } of specFiles) {
    const read = readSpecFile(file, text);
    errors.push(...read.errors);
    for (const entry of read.entries) {
      const steps = selectSteps(deck, entry.selector);
      if (typeof steps === 'string') {
        errors.push(new LabdeckError(steps, { file: entry.file, line: entry.line }));
        continue;
      }
      for (const step of steps) {
        const earlier = specified.get(step.id);
        if (earlier) {
          errors.push(new LabdeckError(`step \`${step.id}\` already has a check from ${earlier.file}:${earlier.line}`, { file: entry.file, line: entry.line }));
        } else {
          specified.set(step.id, entry);
        }
      }
    }
  }

  const checks: StepCheck[] = [];
  let insideContainer = false;
  let remoteHost: string | undefined;
  for (const step of deck.steps) {
    const entry = specified.get(step.id);
    if (entry) {
      const origin = { how: 'specified', file: entry.file, line: entry.line } as const;
      checks.push({ stepId: step.id, check: entry.check, origin, ...(entry.timeoutMs === undefined ? {} : { timeoutMs: entry.timeoutMs }) });
    } else checks.push(inferStepCheck(step, insideContainer, remoteHost, options));
    remoteHost = remoteHostAfter(step, insideContainer, remoteHost);
    insideContainer = shellAfter(step, insideContainer);
  }
  return { checks, errors };
}

/** The steps a selector designates, or why there are none. */
function selectSteps(deck: DeckOutline, selector: StepSelector): readonly StepJson[] | string {
  switch (selector.by) {
    case 'id': {
      const step = deck.steps.find((s) => s.id === selector.id);
      return step ? [step] : `no step has the id \`${selector.id}\``;
    }
    case 'command': {
      const pattern = new RegExp(selector.pattern);
      const steps = deck.steps.filter((s) => s.commands.some((c) => pattern.test(c)));
      return steps.length ? steps : `no step runs a command matching /${selector.pattern}/`;
    }
    case 'slide': {
      // A slide's `name:`, or, for unnamed slides, the prefix of their step ids (slug of the nearest heading).
      const named = deck.slides.filter((s) => s.name === selector.slide).map((s) => s.position);
      const positions = named.length ? named : [...new Set(deck.steps.filter((s) => idContext(s.id) === selector.slide).map((s) => s.slide))];
      if (positions.length === 0) return `no slide named \`${selector.slide}\` (nor steps whose id starts with \`${selector.slide}.\`)`;
      if (positions.length > 1) return `\`${selector.slide}\` designates ${positions.length} slides (#${positions.join(', #')}): bind with \`command:\` or \`id:\``;
      const onSlide = deck.steps.filter((s) => s.slide === positions[0]);
      const step = onSlide.find((s) => s.index === selector.step - 1);
      if (step) return [step];
      return `slide \`${selector.slide}\` (#${positions[0]}) has ${onSlide.length} hands-on step${onSlide.length === 1 ? '' : 's'}, so there is no step ${selector.step}`;
    }
  }
}

function idContext(id: string): string {
  return id.slice(0, id.lastIndexOf('.'));
}

function inferStepCheck(step: StepJson, insideContainer: boolean, remoteHost: string | undefined, options: CatalogOptions): StepCheck {
  const at = { file: step.source.file, line: step.source.line };
  const fallback = (check: CheckSpec, command: string): StepCheck => ({ stepId: step.id, check, origin: { how: 'fallback', command, ...at } });
  if (step.commands.length === 0) return fallback({ kind: 'manual', prompt: step.text }, '');

  const inferred: { command: string; check: CheckSpec }[] = [];
  const unobservable: string[] = [];
  const ran: CheckSpec[] = [];
  // Typed in an ssh shell on another node (no shell integration there), or the ssh client that stays open for it.
  const onRemote: string[] = [];
  const opening: { host: string; command: string }[] = [];
  let inside = insideContainer;
  let remote = remoteHost;
  for (const command of step.commands) {
    const opens = inside || remote !== undefined ? undefined : entersRemoteShell(command);
    // Typed inside a container's shell, a command escapes the host shell's integration: only the attendee can tell.
    if (inside && !runsDocker(command)) unobservable.push(command);
    else if (opens !== undefined) opening.push({ host: opens, command });
    else {
      const inference = inferFromCommand(command);
      if (inference.inferred) inferred.push({ command, check: substituteImages(inference.check, options) });
      else if (remote !== undefined) onRemote.push(command);
      else ran.push(inference.check);
    }
    const leaves = !inside && remote !== undefined && /^\s*(exit|logout)\b/.test(command);
    inside = nextShellState(command, inside);
    remote = opens ?? (leaves ? undefined : remote);
  }
  if (inferred.length) {
    const origin: CheckOrigin = { how: 'inferred', command: inferred.map((i) => i.command).join('\n'), ...at };
    return { stepId: step.id, check: combine(inferred.map((i) => i.check)), origin };
  }
  if (unobservable.length) {
    return fallback({ kind: 'manual', prompt: `run inside the container: ${unobservable.join('; ')}` }, unobservable.join('\n'));
  }
  if (onRemote.length && remote !== undefined && ran.length === 0) {
    return fallback({ kind: 'manual', prompt: `run on ${remoteHost ?? remote}: ${onRemote.join('; ')}` }, onRemote.join('\n'));
  }
  const opened = opening[0];
  if (opened && ran.length === 0) return fallback({ kind: 'manual', prompt: `open a shell on ${opened.host}: ${opened.command}` }, opened.command);
  return fallback(combine(ran), step.commands.join('\n'));
}

function combine(checks: readonly CheckSpec[]): CheckSpec {
  return checks.length === 1 ? elementAt(checks, 0) : { kind: 'all', checks };
}

function nextShellState(command: string, inside: boolean): boolean {
  if (entersContainerShell(command)) return true;
  if (/^\s*(exit|logout)\b/.test(command) || runsDocker(command)) return false;
  return inside;
}

/** The node whose ssh shell the attendee is in after this step (undefined: the terminal's own), as autopilot types it. */
function remoteHostAfter(step: StepJson, insideContainer: boolean, remoteHost: string | undefined): string | undefined {
  let inside = insideContainer;
  let remote = remoteHost;
  for (const command of step.commands) {
    const opens = inside || remote !== undefined ? undefined : entersRemoteShell(command);
    const leaves = !inside && remote !== undefined && /^\s*(exit|logout)\b/.test(command);
    inside = nextShellState(command, inside);
    remote = opens ?? (leaves ? undefined : remote);
  }
  // Ctrl-D leaves the innermost shell: a container's first.
  if (!inside && step.directives.some((d) => (d.kind === 'keys' || d.kind === 'key') && /\^D|exit/i.test(d.argument))) remote = undefined;
  return remote;
}

/** Whether the attendee is still in a container's shell after this step (its commands, then Ctrl-D / exit keys). */
function shellAfter(step: StepJson, inside: boolean): boolean {
  let state = step.commands.reduce((acc, command) => nextShellState(command, acc), inside);
  if (step.directives.some((d) => (d.kind === 'keys' || d.kind === 'key') && /\^D|exit/i.test(d.argument))) state = false;
  return state;
}

function substituteImages(check: CheckSpec, options: CatalogOptions): CheckSpec {
  const substitutes = options.imageSubstitutes ?? {};
  if (check.kind === 'all') return { ...check, checks: check.checks.map((c) => substituteImages(c, options)) };
  if (check.kind !== 'service' || typeof check.image !== 'string') return check;
  const image = check.image;
  const substitute = Object.entries(substitutes).find(([original]) => normalizeImage(original) === normalizeImage(image))?.[1];
  return substitute ? { ...check, image: [image, substitute] } : check;
}
