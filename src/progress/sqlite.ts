// better-sqlite3, loaded when labdeck first opens a database rather than when it starts: `serve` without a class opens
// none, and no first page needs one (bench/startup.ts times that start; test/cli/serve-start.test.ts checks what it
// loads). A missing compiled part throws at the first open either way (commands/native-modules.ts).
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

let sqliteLoaded: typeof Database | undefined;

export function sqlite(): typeof Database {
  sqliteLoaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return sqliteLoaded;
}
