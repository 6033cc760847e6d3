// The `copy REGEX` directive of container.training's autotest (and `copypaste REGEX`, copy then paste): what a
// presenter would select on the screen and paste, e.g. the `docker swarm join --token …` that `swarm init` printed.
// As the autotest does it: the most recent match on the screen, across lines, with the line breaks a wrapped line
// got on screen removed (a screen copy does the same). Pure.

/** The latest text on `screen` that `pattern` matches, or a reason for a person when there is none. */
export function copyFromScreen(screen: string, pattern: string): { text: string } | { problem: string } {
  let expression: RegExp;
  try {
    expression = new RegExp(pattern, 'gs');
  } catch (error) {
    return { problem: `copy: \`${pattern}\` is not a regular expression (${(error as Error).message})` };
  }
  const matches = [...screen.matchAll(expression)].map((match) => match[0]).filter(Boolean);
  const latest = matches[matches.length - 1];
  if (latest === undefined) return { problem: `copy: nothing the terminal printed matches \`${pattern}\`` };
  return { text: latest.replace(/\n/g, '') };
}
