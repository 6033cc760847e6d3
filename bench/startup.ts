// Start-up benchmark (issue: labdeck as a tool people install): whole `labdeck` processes, as a person or a test
// starts them, against a peer measured in the same run: `node -e 0` (the floor of any Node.js command), and, for the
// record, container.training's markmaker.py assembling the same deck.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const labdeckBin = join(repoRoot, 'bin', 'labdeck.js');
const fixtures = join(repoRoot, 'test', 'fixtures', 'container-training');
const halfday = join(fixtures, 'swarm-halfday.yml');
const sampleWorkshop = join(repoRoot, 'workshop.yml');
const markmakerDir = join(repoRoot, '..', 'shared', 'fixtures', 'container-training', 'markmaker');
/** Fresh processes per measure: the median of 7 is stable to a few ms on a quiet machine. */
const RUNS = 7;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Wall time of a whole process, from spawn to exit, median of RUNS (one unmeasured run first warms the disk cache). */
function timeProcess(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const once = () => {
    const t0 = performance.now();
    execFileSync(command, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    return performance.now() - t0;
  };
  once();
  return median(Array.from({ length: RUNS }, once));
}

/** From spawning `labdeck serve` to the first page answered 200. */
async function timeServeToFirstPage(manifest: string, env: NodeJS.ProcessEnv): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [labdeckBin, 'serve', manifest, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve printed no URL within 30 s: ${stdout}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += String(chunk);
          const found = /serving \d+ slides at (http:\/\/\S+\/)/.exec(stdout)?.[1];
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stdout}`)));
      });
      const page = await fetch(url);
      await page.text();
      if (page.status !== 200) throw new Error(`${url} answered ${page.status}`);
      return performance.now() - t0;
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  };
  await once();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) times.push(await once());
  return median(times);
}

/** markmaker.py as container.training runs it: in a git checkout holding the deck, its template and interstitials. */
function timeMarkmaker(): number {
  const checkout = mkdtempSync(join(tmpdir(), 'labdeck-markmaker-'));
  try {
    cpSync(fixtures, checkout, { recursive: true });
    cpSync(markmakerDir, checkout, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: checkout });
    return timeProcess('python3', ['markmaker.py', 'swarm-halfday.yml'], { cwd: checkout });
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

export async function benchStartup(): Promise<string> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'labdeck-render-cache-'));
  try {
    const nodeFloor = timeProcess(process.execPath, ['-e', '0']);
    const help = timeProcess(process.execPath, [labdeckBin, '--help']);
    const slidesArgs = [labdeckBin, 'slides', halfday, '--json'];
    const warmCache = { LABDECK_CACHE: cacheDir };
    // timeProcess's unmeasured first run fills the cache.
    const slidesWarm = timeProcess(process.execPath, slidesArgs, { env: warmCache });
    const markmaker = timeMarkmaker();
    const serveSample = await timeServeToFirstPage(sampleWorkshop, warmCache);
    const serveHalfday = await timeServeToFirstPage(halfday, warmCache);
    const serveHalfdayCold = await timeServeToFirstPage(halfday, { LABDECK_CACHE: 'off' });

    const ratio = (value: number, peer: number) => `${(value / peer).toFixed(2)}×`;
    const verdict = (met: boolean) => (met ? 'met' : 'not met');
    return [
      `Whole processes of the compiled command (\`bin/labdeck.js\` → \`dist/\`), median of ${RUNS} after one unmeasured run, which`,
      'also fills the render cache: "warm" reads what it wrote, "cold" has none (`LABDECK_CACHE=off`). The fixture deck is',
      '`swarm-halfday.yml` (276 slides). The cold `slides --json` process against remark.js is in "Deck engine" below.',
      '',
      '| measure | time | peer | ratio | goal | |',
      '|---|---|---|---|---|---|',
      `| \`node -e 0\` | ${ms(nodeFloor)} |  |  |  |  |`,
      `| \`labdeck --help\` | ${ms(help)} | \`node -e 0\` | ${ratio(help, nodeFloor)} | ≤ 3× | ${verdict(help <= 3 * nodeFloor)} |`,
      `| \`labdeck slides swarm-halfday.yml --json\`, warm render cache | ${ms(slidesWarm)} | \`node -e 0\` | ${ratio(slidesWarm, nodeFloor)} | ≤ 3× | ${verdict(slidesWarm <= 3 * nodeFloor)} |`,
      `| markmaker.py assembling swarm-halfday.yml (for the record) | ${ms(markmaker)} |  |  |  |  |`,
      `| \`labdeck serve\`: process start to first page, sample workshop | ${ms(serveSample)} |  |  | < 500 ms | ${verdict(serveSample < 500)} |`,
      `| \`labdeck serve\`: process start to first page, swarm-halfday | ${ms(serveHalfday)} |  |  | < 1000 ms | ${verdict(serveHalfday < 1000)} |`,
      `| \`labdeck serve\`: the same without the render cache (a deck's first start) | ${ms(serveHalfdayCold)} |  |  |  |  |`,
    ].join('\n');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
