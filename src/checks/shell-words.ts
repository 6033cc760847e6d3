// Splits a shell command line the way bash reads it, far enough to understand docker invocations: quotes, escapes,
// `\` line continuations, comments, and the operators that separate simple commands (; && || | & newline).
// Substitutions (`$(…)`, backticks, `$VAR`) stay in their word verbatim: they are evaluated by the shell, not here.

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
    const c = line[i]!;
    if (c === '\\') {
      if (line[i + 1] === '\n') { i++; continue; }
      if (i + 1 < line.length) { word += line[++i]; inWord = true; }
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
    if (c === ' ' || c === '\t') { endWord(); continue; }
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
