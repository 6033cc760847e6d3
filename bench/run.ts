// Runs the benchmarks and writes their figures to docs/benchmarks.md. Numbers depend on the machine: the file
// says which one, and each section names its peer, measured in the same run.
// `npm run bench -- deck checks` runs only the suites whose key is named and keeps the other sections of the file as
// they were (each section says when it was measured); the file is rewritten after each suite, so a slow or
// interrupted suite never loses the figures of those before it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDeck } from './deck.ts';
import { benchStartup } from './startup.ts';
import { benchScaling } from './scaling.ts';
import { benchPresentation } from './presentation.ts';
import { benchChecks } from './checks.ts';
import { benchTerminals } from './terminals.ts';
import { benchClassroom } from './classroom.ts';
import { benchSshEngines } from './ssh-engines.ts';
import { benchRecording } from './recording.ts';
import { benchVisual } from './visual.ts';
import { benchNodes } from './nodes.ts';
import { benchSeats } from './seats.ts';
import { benchReplay } from './replay.ts';
import { benchClusters } from './clusters.ts';

const suites: { key: string; title: string; run: () => Promise<string> }[] = [
  { key: 'startup', title: 'Start-up', run: benchStartup },
  { key: 'deck', title: 'Deck engine', run: benchDeck },
  { key: 'scaling', title: 'Deck size scaling', run: benchScaling },
  { key: 'presentation', title: 'Presentation in the browser', run: benchPresentation },
  { key: 'checks', title: 'Exercise checks', run: benchChecks },
  { key: 'terminals', title: 'Embedded terminals', run: benchTerminals },
  { key: 'classroom', title: 'Classroom', run: benchClassroom },
  { key: 'ssh', title: 'Engines over ssh', run: benchSshEngines },
  { key: 'recording', title: 'Recording', run: benchRecording },
  { key: 'visual', title: 'Visual conformance with remark.js', run: benchVisual },
  { key: 'nodes', title: 'A class across several nodes', run: benchNodes },
  { key: 'seats', title: 'Seat ready (warm seats)', run: benchSeats },
  { key: 'replay', title: 'Replaying a class', run: benchReplay },
  { key: 'clusters', title: 'Attendee clusters', run: benchClusters },
];

const wanted = process.argv.slice(2);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const path = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
/** The file's sections by title: those of this run replace them, the others stay. */
const sections = new Map<string, string>();
if (wanted.length > 0 && existsSync(path)) {
  for (const part of readFileSync(path, 'utf8')
    .split(/^(?=## )/m)
    .slice(1))
    sections.set(part.slice(3, part.indexOf('\n')).trim(), part.trimEnd() + '\n');
}
const write = () => {
  const text = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (${machine}); each section says when it was measured. Re-run it to refresh;`,
    'figures vary with the load of the machine: compare rows of one run, not across runs.',
    '',
    ...suites.map((suite) => sections.get(suite.title)).filter((section) => section !== undefined),
  ].join('\n');
  writeFileSync(path, text);
  return text;
};

for (const suite of suites.filter((s) => wanted.length === 0 || wanted.includes(s.key))) {
  process.stderr.write(`bench: ${suite.title}...\n`);
  const loadBefore = loadavg()[0]!.toFixed(1);
  // One suite failing (a peer that will not install, an engine that is down) must not lose the others' figures.
  const body = await suite.run().catch((error: unknown) => `**Not measured in this run**: ${(error as Error).stack ?? String(error)}`);
  const measured = new Date().toISOString().slice(0, 10);
  sections.set(suite.title, `## ${suite.title}\n\n${body}\n\n(Measured on ${measured}; 1-minute load average when the suite started: ${loadBefore}.)\n`);
  write();
}
process.stdout.write(write());
