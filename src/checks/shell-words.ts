// Splits a shell command line the way bash reads it, far enough to understand docker invocations: quotes, escapes,
// `\` line continuations, comments, and the operators that separate simple commands (; && || | & newline).
// Substitutions (`$(…)`, backticks, `$VAR`) stay in their word verbatim: they are evaluated by the shell, not here.
import { elementAt } from '../errors.ts';

/** The simple commands of a command line, each as its words with quotes removed. */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };

  for (let i = 0; i < line.length; i++) {
    const c = elementAt(line, i);
    if (c === '\\') {
      if (line[i + 1] === '\n') {
        i++;
        continue;
      }
      if (i + 1 < line.length) {
        word += line[++i];
        inWord = true;
      }
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word += line.slice(i + 1, stop);
      inWord = true;
      i = stop;
      continue;
    }
    if (c === '"') {
      inWord = true;
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '"\\$`\n'.includes(line[i + 1] ?? '')) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i++;
        } else if (line[i] === '$' && line[i + 1] === '(') {
          const end = closingParen(line, i + 1);
          word += line.slice(i, end + 1);
          i = end;
        } else {
          word += line[i];
        }
      }
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      const end = closingParen(line, i + 1);
      word += line.slice(i, end + 1);
      inWord = true;
      i = end;
      continue;
    }
    if (c === '`') {
      const end = line.indexOf('`', i + 1);
      const stop = end < 0 ? line.length - 1 : end;
      word += line.slice(i, stop + 1);
      inWord = true;
      i = stop;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = line.indexOf('\n', i);
      i = end < 0 ? line.length : end - 1;
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '\n') {
      endCommand();
      if ((c === '&' || c === '|') && line[i + 1] === c) i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  return commands;
}

/** Index of the `)` closing the `(` at `open`, counting nested parentheses; the end of the text if unclosed. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return text.length - 1;
}

/**
 * The simple commands a command line runs, with what the line itself makes explicit expanded: variables it sets to a
 * literal value (`TAG=v1`, `export REGISTRY=…`), and the body of `for X in a b c; do …; done` once per word of a
 * literal list. Whatever only the shell knows at run time (`$(…)`, backticks, variables set elsewhere or to a
 * substitution, a loop over `$(seq 1 3)` or a glob) stays verbatim, `$` included, for the caller to see as unknown.
 * Reserved words that open a body (`do`, `then`, `else`, `{`) are dropped; the words that close one end nothing here.
 * Quotes are already gone from the words, so `'$X'` expands like `"$X"`: a docker name never holds a `$` anyway.
 */
export function expandCommands(line: string): string[][] {
  const expanded: string[][] = [];
  expandRange(
    splitCommands(line)
      .map(withoutOpeners)
      .filter((words) => words.length > 0),
    new Map(),
    expanded,
  );
  return expanded;
}

const openers = new Set(['do', 'then', 'else', '{', '!']);
const closers = new Set(['done', 'fi', '}', 'esac']);
/** `export A=b`, `readonly A=b` set variables as a plain `A=b` does. */
const declarers = new Set(['export', 'readonly', 'local', 'declare', 'typeset']);

function withoutOpeners(words: string[]): string[] {
  let start = 0;
  while (start < words.length && openers.has(elementAt(words, start))) start++;
  return words.slice(start);
}

function expandRange(commands: readonly string[][], variables: Map<string, string>, into: string[][]): void {
  for (let i = 0; i < commands.length; i++) {
    const words = elementAt(commands, i);
    if (words.length === 1 && closers.has(elementAt(words, 0))) continue;
    if (words[0] === 'for' && words.length >= 2) {
      const end = loopEnd(commands, i + 1);
      const body = commands.slice(i + 1, end);
      const list = words[2] === 'in' ? words.slice(3).map((word) => expandWord(word, variables)) : undefined;
      // biome-ignore lint/complexity/useOptionalChain: TypeScript narrows `list` through this alias only in this form
      const literal = list !== undefined && list.every((word) => !/[$`*?[]/.test(word));
      const variable = elementAt(words, 1);
      for (const value of literal ? list : [undefined]) {
        const inner = new Map(variables);
        if (value === undefined) inner.delete(variable);
        else inner.set(variable, value);
        expandRange(body, inner, into);
      }
      i = end;
      continue;
    }
    const expandedWords = words.map((word) => expandWord(word, variables));
    into.push(expandedWords);
    const assignments = declarers.has(elementAt(expandedWords, 0)) ? expandedWords.slice(1) : expandedWords;
    // `A=b cmd` sets A for cmd's environment only; a command made of assignments sets them in the shell.
    if (assignments.length && assignments.every((word) => /^[A-Za-z_]\w*=/.test(word))) {
      for (const assignment of assignments) {
        const [name, value] = [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)];
        if (/[$`]/.test(value)) variables.delete(name);
        else variables.set(name, value);
      }
    }
  }
}

/** Index of the `done` closing the loop whose body starts at `from` (nested loops counted); the end if unclosed. */
function loopEnd(commands: readonly string[][], from: number): number {
  let depth = 1;
  for (let i = from; i < commands.length; i++) {
    const first = elementAt(commands, i)[0];
    if (first === 'for' || first === 'while' || first === 'until') depth++;
    else if (first === 'done' && --depth === 0) return i;
  }
  return commands.length;
}

/** `$NAME` and `${NAME}` the line set are replaced by their value; everything else stays as written. */
function expandWord(word: string, variables: ReadonlyMap<string, string>): string {
  return word.replace(/\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})/g, (whole, bare?: string, braced?: string) => {
    const name = bare ?? braced; // one of the two groups took part
    return name === undefined ? whole : (variables.get(name) ?? whole);
  });
}
