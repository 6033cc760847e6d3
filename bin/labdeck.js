#!/usr/bin/env node
// The labdeck command. TypeScript sources run through tsx, so a checkout works without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
