#!/usr/bin/env node
// `npm run build`: the command (dist/) and the browser code (public/build/), side by side.
await Promise.all([import('./build-server.mjs'), import('./build-client.mjs')]);
