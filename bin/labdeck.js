#!/usr/bin/env node
// The labdeck command: the compiled code in dist/ (`npm run build` makes it from src/; the npm package ships it).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2), process.env);
