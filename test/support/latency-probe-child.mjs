// The control client's loop, in a process of its own (see latency-probe.ts): it asks `url` every `intervalMs` over one
// keep-alive connection and prints one JSON line per answer, until its standard input closes. Plain JavaScript, so it
// starts in a few tens of milliseconds without a TypeScript loader.
import { Agent, request } from 'node:http';

const options = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const started = performance.now();
let stopped = false;
process.stdin.on('end', () => (stopped = true)).on('close', () => (stopped = true)).resume();

const ask = () =>
  new Promise((resolve) => {
    const begin = performance.now();
    const at = begin - started;
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ at, ms: performance.now() - begin, result });
    };
    const call = request(options.url, { agent, headers: options.headers }, (response) => {
      response.on('data', () => {});
      response.on('end', () => settle(response.statusCode ?? 0));
      response.on('error', (error) => settle(error.code ?? error.message));
    });
    const timer = setTimeout(() => {
      settle('timeout');
      call.destroy();
    }, options.timeoutMs);
    call.on('error', (error) => settle(error.code ?? error.message));
    call.end();
  });

while (!stopped) {
  const begin = performance.now();
  process.stdout.write(`${JSON.stringify(await ask())}\n`);
  const wait = options.intervalMs - (performance.now() - begin);
  if (wait > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, wait));
}
agent.destroy();
