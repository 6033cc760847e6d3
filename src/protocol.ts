// Shapes shared by the server and the browser, and by the terminal and the exercise checker. Imports nothing.

/** One command an attendee ran in a terminal, as shell integration (OSC 633) reported it. */
export interface CommandRecord {
  /** The command line as typed. */
  readonly command: string;
  /** Exit status; undefined while the command is still running. 130 = interrupted by Ctrl-C. */
  readonly exitCode: number | undefined;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  /** Working directory when the command started, when the shell reported it. */
  readonly cwd: string | undefined;
  /** Which terminal it ran in: `${attendee}/${terminalName}`. */
  readonly terminal: string;
}
