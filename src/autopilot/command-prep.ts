// How autopilot types a deck's command as an attendee would: `<placeholders>` get a value, and commands that run
// until interrupted (`ping rng`, `docker service logs -f`) are stopped with Ctrl-C after a few seconds. Pure.

export interface PreparedCommand {
  /** What is typed, placeholders replaced by shell variables (`<containerID>` → `$containerID`). */
  readonly typed: string;
  /** Assignments to run first, one per placeholder (`containerID=$(docker ps -q ...)`). */
  readonly assignments: readonly string[];
  /** The command does not end by itself: interrupt it after a moment. */
  readonly endless: boolean;
}

export interface PlaceholderContext {
  /** The service the workshop created last (`docker service create --name debug`): its container is "the container". */
  readonly lastService: string | undefined;
}

/**
 * `<containerID>`-like placeholders stand for the container of the service created last (the latest container
 * otherwise). Other placeholders cannot be guessed: they are left as they are, and the step will say why it failed.
 */
export function prepareCommand(command: string, context: PlaceholderContext): PreparedCommand {
  const assignments: string[] = [];
  const typed = command.trim().replace(/<([A-Za-z][\w-]*)>/g, (whole, name: string) => {
    if (!/^(container|cid|containerid|container[-_]id|id)$/i.test(name)) return whole;
    const variable = name.replace(/-/g, '_');
    const filter = context.lastService ? ` --filter label=com.docker.swarm.service.name=${context.lastService}` : ' --latest';
    assignments.push(`${variable}=$(docker ps -q${filter} | head -n 1)`);
    return `$${variable}`;
  });
  return { typed, assignments: [...new Set(assignments)], endless: isEndless(typed) };
}

/** Commands that keep running until Ctrl-C. */
export function isEndless(command: string): boolean {
  const words = command.trim().split(/\s+/);
  const program = words[0] ?? '';
  if (/^(ping|ping6|httping)$/.test(program)) return !words.some((w) => /^-c\d*$/.test(w));
  if (program === 'top' || program === 'watch') return true;
  if (program === 'tail') return words.some((w) => /^-[a-zA-Z]*f/.test(w) || w === '--follow');
  return program === 'docker' && /\b(logs|events)\b/.test(command) && /(^|\s)(-f|--follow)\b|\bevents\b/.test(command);
}

/** The service a command creates (`docker service create ... --name debug`), for the placeholders of later steps. */
export function createdService(command: string): string | undefined {
  if (!/\bdocker\s+service\s+create\b/.test(command)) return undefined;
  return /--name(?:\s+|=)(\S+)/.exec(command)?.[1];
}
