// Preloaded into a measured process (`node --import ./bench/process-cpu.mjs ...`): at exit, writes to stderr one
// line `labdeck-bench-process {"ms":…,"cpuMs":…}`: wall time since the process started and its CPU time (user +
// system), so that a benchmark can time a whole command, imports and Node's own start included.
import { performance } from 'node:perf_hooks';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`labdeck-bench-process ${JSON.stringify({ ms: performance.now(), cpuMs: (user + system) / 1000 })}\n`);
});
