// The npm dependencies with a compiled part, and what to do when that part is missing: npm 11 runs a dependency's
// install script (which fetches or compiles it) only when the project's `allowScripts` approves it, and where no
// prebuilt binary fits, the script needs a compiler. Without it the package's JavaScript loads and its first use
// throws; a person gets one line with the fix instead of a stack trace.

interface NativeModule {
  readonly name: string;
  /** The file of the compiled part, as the package's loader names it in its error. */
  readonly binary: string;
  readonly neededFor: string;
}

const NATIVE_MODULES: readonly NativeModule[] = [
  { name: 'node-pty', binary: 'pty.node', neededFor: 'terminals (serve, autopilot)' },
  { name: 'better-sqlite3', binary: 'better_sqlite3.node', neededFor: 'classes (serve --classroom, env, progress, backup)' },
];

/** The error a missing or unloadable compiled part of a native dependency threw, told as its fix; else undefined. */
export function describeMissingNativeModule(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const module = NATIVE_MODULES.find((candidate) => error.message.includes(candidate.binary));
  if (!module) return undefined;
  const missing = /Failed to load native module|Could not locate the bindings file|Cannot find module/.test(error.message);
  const wrongBuild = (error as NodeJS.ErrnoException).code === 'ERR_DLOPEN_FAILED';
  if (!missing && !wrongBuild) return undefined;
  const what = missing ? 'is installed without its compiled part' : 'has a compiled part that does not load in this Node.js';
  return (
    `${module.name} ${what}, which ${module.neededFor} need. Let its install script run: ` +
    `\`npm install-scripts approve ${module.name} && npm rebuild ${module.name}\` in your project, or ` +
    `\`npx --allow-scripts=node-pty,better-sqlite3 labdeck …\`. Where no prebuilt binary fits, it compiles (python3, make, a C++ compiler).`
  );
}
