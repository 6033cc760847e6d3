// What a terminal runs: an argv template such as `docker exec -it {container} sh` or `ssh {attendee}@node1`.
// The template is split into words once; placeholders are then substituted inside single argv elements, so a
// value can never add arguments or reach a shell. Values are restricted to a safe alphabet that cannot start with
// '-' (an attendee named `-oProxyCommand=...` must not become an ssh option).
import { elementAt, LabdeckError } from '../errors.ts';

export type CommandTemplate = readonly string[];

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
const SAFE_VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

/** Splits a template string into words: whitespace separates, quotes around a whole word group (no escapes). */
export function parseCommandTemplate(text: string | readonly string[], knownPlaceholders: readonly string[]): CommandTemplate {
  const words = typeof text === 'string' ? splitWords(text) : [...text];
  if (words.length === 0) throw new LabdeckError('terminal command: the command is empty');
  for (const word of words) {
    for (const [, name] of word.matchAll(PLACEHOLDER)) {
      if (name !== undefined && !knownPlaceholders.includes(name)) {
        throw new LabdeckError(`terminal command: unknown placeholder {${name}} (known: ${knownPlaceholders.map((known) => `{${known}}`).join(', ')})`);
      }
    }
  }
  return Object.freeze(words);
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3]?.match(/["']/)) throw new LabdeckError(`terminal command: quotes must surround whole words in ${JSON.stringify(text)}`);
    words.push(match[1] ?? match[2] ?? elementAt(match, 3));
  }
  return words;
}

export function substituteCommand(template: CommandTemplate, values: Readonly<Record<string, string>>): string[] {
  return template.map((word) =>
    word.replace(PLACEHOLDER, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) throw new LabdeckError(`terminal command: no value for {${name}}`);
      if (!SAFE_VALUE.test(value)) throw new LabdeckError(`terminal command: unsafe value for {${name}}: ${JSON.stringify(value)}`);
      return value;
    }),
  );
}
