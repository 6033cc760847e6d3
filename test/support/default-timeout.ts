// Loaded by scripts/run-tests.mjs into every test process (`--import`): gives each test and hook that names no
// timeout of its own a default one, so that a regression that makes something wait forever fails that test (with
// the other tests' results kept) instead of hanging the suite. Node 20's `--test-timeout` cannot do this: given to
// `node --test` it bounds each whole file (and reports none of its results), and the file processes ignore it.
// node:test's exports are replaced here and synced to its ES module view (syncBuiltinESMExports), before any test
// file imports them.
import { createRequire, syncBuiltinESMExports } from 'node:module';

/**
 * 120 s: measured on the 2-core machine with two heavy files side by side, the longest test without a timeout of its
 * own ran 44 s (e2e/classroom's dashboard tests), the images already built (run-tests.mjs builds them first). Longer
 * tests say so with `{ timeout }` (20 pages in Chromium: 95 s; a lab brought up: 66 s; sandboxes: 181 s).
 */
export const DEFAULT_TEST_TIMEOUT_MS = 120_000;
/** The runner's own test sets a short one (LABDECK_TEST_TIMEOUT_MS) to see a hung test fail quickly. */
const timeoutMs = Number(process.env.LABDECK_TEST_TIMEOUT_MS) || DEFAULT_TEST_TIMEOUT_MS;

type Options = { timeout?: number; [key: string]: unknown };
type Register = ((...args: unknown[]) => unknown) & Record<string, unknown>;

const isOptions = (value: unknown): value is Options => typeof value === 'object' && value !== null;

/** test/it/describe: `(name?, options?, fn?)`. The options keep whatever they say; only a missing timeout is set. */
function withDefaultForTests(register: Register): Register {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const at = args.findIndex(isOptions);
    if (at >= 0) args[at] = { timeout: timeoutMs, ...(args[at] as Options) };
    else args.splice(typeof args[0] === 'function' ? 0 : 1, 0, { timeout: timeoutMs });
    return register.apply(this, args);
  } as Register;
  for (const key of Object.keys(register)) wrapped[key] = register[key]; // test.skip, test.only, test.todo, …
  return wrapped;
}

/** before/after/beforeEach/afterEach: `(fn, options?)`. */
function withDefaultForHooks(register: Register): Register {
  return function (this: unknown, fn: unknown, options?: Options): unknown {
    return register.call(this, fn, { timeout: timeoutMs, ...options });
  } as Register;
}

const nodeTest = createRequire(import.meta.url)('node:test') as Record<string, Register>;
// describe only groups: a suite's timeout would bound all its tests together, so suites get none.
for (const name of ['test', 'it'] as const) nodeTest[name] = withDefaultForTests(nodeTest[name]!);
for (const name of ['before', 'after', 'beforeEach', 'afterEach'] as const) nodeTest[name] = withDefaultForHooks(nodeTest[name]!);
syncBuiltinESMExports();
