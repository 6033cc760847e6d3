// Every labdeck command: its name and one-line summary, and how to load it. `labdeck --help` reads only this file, so
// it starts without importing any command; a command's code (the deck engine, the web server, dockerode, Chromium's
// driver) is imported when that command runs.
import type { Command } from './command.ts';

export interface CommandEntry {
  readonly name: string;
  /** One line for `labdeck --help`, and the first line of the command's own help. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commandCatalog: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'Serve the deck over HTTP, reloading open pages when the manifest or a chapter changes.',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    name: 'build',
    summary: 'Export the deck as static files (index.html, assets, images) that open from file:// or any web server.',
    load: async () => (await import('./build.ts')).buildCommand,
  },
  {
    name: 'slides',
    summary: 'Print the slides of a workshop as a JSON array (index, number, name, classes, notes, html, ...).',
    load: async () => (await import('./slides.ts')).slidesCommand,
  },
  {
    name: 'lint',
    summary: 'Check a workshop: brackets, images, chapters, swallowed lines, names, links, hands-on blocks.',
    load: async () => (await import('./lint.ts')).lintCommand,
  },
  {
    name: 'init',
    summary: 'Create a new workshop (workshop.yml, two chapters, an exercise check spec, README.md) in DIR.',
    load: async () => (await import('./init.ts')).initCommand,
  },
  {
    name: 'pdf',
    summary: 'Print the deck to a PDF through Chromium: one slide per page at the deck ratio, notes optional.',
    load: async () => (await import('./pdf.ts')).pdfCommand,
  },
  {
    name: 'lab',
    summary:
      "Prepare (up) or remove (down) the sample workshop's lab on the local engine: swarm, images, dockercoins stack. " +
      "Up also removes what the workshop's steps created in an earlier run.",
    load: async () => (await import('./lab.ts')).labCommand,
  },
  {
    name: 'check',
    summary: 'Tell whether each hands-on step is done on the local engine (exit 0 only when every step passed).',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  {
    name: 'autopilot',
    summary: "Play the workshop's hands-on steps in a real terminal and check each one (run `labdeck lab up` first).",
    load: async () => (await import('./autopilot.ts')).autopilotCommand,
  },
  {
    name: 'progress',
    summary: "Export a class's progress: attendees, their step results, attempts and commands.",
    load: async () => (await import('./progress.ts')).progressCommand,
  },
  {
    name: 'backup',
    summary: 'Copy a class (attendees, tokens, progress, recordings) into a new data folder, also while it runs.',
    load: async () => (await import('./backup.ts')).backupCommand,
  },
  {
    name: 'record',
    summary: "Export an attendee's recording: one terminal as an asciicast v2 file (.cast), or the whole timeline as JSON.",
    load: async () => (await import('./record.ts')).recordCommand,
  },
  {
    name: 'env',
    summary: "Show, create, remove or reset attendees' environments (classroom.environment in workshop.yml), or list the class swarm's nodes.",
    load: async () => (await import('./env.ts')).envCommand,
  },
];

export function findCommand(name: string | undefined): CommandEntry | undefined {
  return commandCatalog.find((entry) => entry.name === name);
}
