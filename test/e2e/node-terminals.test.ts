// A class of clusters (`nodes: 3`): the terminal pane in a real Chromium offers the attendee a terminal on each of
// their other nodes (a labelled node choice and an Open button, both on the keyboard's path, axe-clean), and the
// server opens only the attendee's own: another attendee's node, or a node the class does not have, is refused.
// Real server, real launcher (environments/launcher.ts) and real bash PTYs; what stands in for each node's sandbox is
// its `enter` script (the engine test test/engine/attendee-cluster.test.ts enters the real node2 through node1), which
// says which attendee's node it is.
// test-runner: alone
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { serveTerminals } from '../../src/commands/serve-terminals.ts';
import { createLocalProvider, type EnvironmentProvider } from '../../src/environments/provider.ts';
import { launcherTemplate, writeEnterCommand } from '../../src/environments/launcher.ts';
import { encodeClientMessage, TERMINAL_SUBPROTOCOL } from '../../src/protocol.ts';

let scratch: string;
let browser: Browser;
let server: RunningServer;
let liveDeck: LiveDeck;
const viewport = { width: 1280, height: 720 };
const axePath = join(repoRoot, 'node_modules/axe-core/axe.min.js');

before(async () => {
  const launching = launchChromium();
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-e2e-nodes-'));
  const manifest = join(scratch, 'workshop.yml');
  await writeFile(manifest, 'title: Nodes\ngenerated: false\ncontent: [a.md]\nclassroom:\n  environment: { provider: swarm, nodes: 3 }\nterminals:\n  shell: local\n');
  await writeFile(join(scratch, 'a.md'), '# Nodes\n');
  // Each attendee's nodes: node1 in their folder, nodeN in a folder inside it, as cluster-access.ts lays them out.
  const root = join(scratch, 'environments');
  for (const attendee of ['a-alice1', 'a-bob2']) {
    for (const node of ['node1', 'node2', 'node3']) {
      const folder = node === 'node1' ? root : join(root, attendee);
      mkdirSync(join(folder, node === 'node1' ? attendee : node), { recursive: true });
      writeEnterCommand(folder, node === 'node1' ? attendee : node, ['env', `LABDECK_NODE=${attendee}-${node}`]);
    }
  }
  const environment: EnvironmentProvider = {
    ...createLocalProvider(),
    localShells: false,
    nodes: 3,
    terminalCommands: (terminals) => Object.fromEntries(terminals.map((terminal) => [terminal.name, launcherTemplate(root, terminal.command, terminal.node)])),
  };
  const log = () => {};
  liveDeck = await LiveDeck.start({ load: async () => ({ deck: (await loadDeck(manifest)).deck, title: 'Nodes', ratio: '16:9', files: [manifest] }), log });
  const access = createAccess({
    openToLocalAttendee: false,
    instructorToken: 'teach',
    attendees: [
      { attendee: 'a-alice1', name: 'Alice', token: 'alice-token' },
      { attendee: 'a-bob2', name: 'Bob', token: 'bob-token' },
    ],
  });
  const { workshop } = await loadDeck(manifest);
  const terminals = serveTerminals(workshop, { host: '127.0.0.1', access, log, env: testEnvironment(), environment })!;
  server = await startServer({ deck: liveDeck, workshopDir: scratch, assetsDir: join(repoRoot, 'public'), log, access, terminals }, { port: 0, host: '127.0.0.1' });
  browser = await launching;
});

after(async () => {
  await browser?.close();
  await server?.close();
  liveDeck?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const rowsText = () => Array.from(document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows')?.children ?? [], (row) => row.textContent).join('\n');

async function waitForScreen(page: Page, pattern: RegExp, timeout = 10_000): Promise<void> {
  await page.waitForFunction(`${pattern}.test((${rowsText})())`, undefined, { timeout, polling: 20 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nwaiting for ${pattern}; screen:\n${await page.evaluate(rowsText)}`);
  });
}

/** axe's serious and critical findings on the terminal pane. */
async function axeFindings(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Element, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    ).axe;
    const pane = document.querySelector('.labdeck-terminals');
    if (!pane) return ['no pane'];
    const { violations } = await axe.run(pane, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

test("the pane opens a terminal on the attendee's other nodes, from the keyboard", { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport });
  try {
    await page.goto(`${server.url}?token=alice-token`);
    await page.waitForSelector('html[data-labdeck-terminals="ready"]');
    await waitForScreen(page, /[#$] *$/m);
    const choice = page.getByRole('combobox', { name: 'Node' });
    assert.deepEqual(await choice.locator('option').allTextContents(), ['node2', 'node3']);
    const open = page.getByRole('button', { name: 'Open a terminal on this node' });
    assert.equal(await open.count(), 1);
    assert.deepEqual(await axeFindings(page), []);

    // From the shell's tab, Tab reaches the node choice, then Open.
    await page.locator('.labdeck-terminals-tab[data-terminal="shell"]').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'labdeck-terminals-node');
    await page.keyboard.press('ArrowDown');
    assert.equal(await choice.inputValue(), 'node3');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.labdeck-terminals-tab[data-terminal="node3"][aria-selected="true"]');
    await waitForScreen(page, /[#$] *$/m);
    // The keyboard is in the new terminal, which runs on Alice's node3.
    await page.keyboard.type('echo "on $LABDECK_NODE"\n');
    await waitForScreen(page, /^on a-alice1-node3$/m);
    assert.deepEqual(await axeFindings(page), []);

    // Open again: the same tab, not a second one; node2 gets its own.
    await open.click();
    assert.equal(await page.locator('.labdeck-terminals-tab[data-terminal="node3"]').count(), 1);
    await choice.selectOption('node2');
    await open.click();
    await page.waitForSelector('.labdeck-terminals-tab[data-terminal="node2"][aria-selected="true"]');
    await waitForScreen(page, /[#$] *$/m);
    await page.keyboard.type('echo "on $LABDECK_NODE"\n');
    await waitForScreen(page, /^on a-alice1-node2$/m);
  } finally {
    await page.close();
  }
});

/** The close reason the server gives a hello from `token` for `terminal` (of `attendee`, when given). */
function helloAnswer(token: string, terminal: string, attendee?: string): Promise<string> {
  const url = `${server.url.replace('http', 'ws')}_labdeck/terminal`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, TERMINAL_SUBPROTOCOL, { origin: server.url.replace(/\/$/, '') });
    socket.on('open', () => {
      socket.send(encodeClientMessage({ type: 'hello', hello: { version: 1, token, terminal, cols: 80, rows: 24, ...(attendee ? { attendee } : {}) } }));
    });
    socket.on('message', () => {
      socket.close();
      resolve('accepted');
    });
    socket.on('close', (_code, reason) => resolve(reason.toString() || 'closed'));
    socket.on('error', reject);
  });
}

test("the server opens the attendee's own nodes only, and only the nodes the class has", { timeout: 30_000 }, async () => {
  assert.equal(await helloAnswer('alice-token', 'node2'), 'accepted');
  assert.equal(await helloAnswer('alice-token', 'node2', 'a-bob2'), 'not authorized for this terminal');
  assert.equal(await helloAnswer('alice-token', 'node4'), 'there is no terminal named node4');
  assert.equal(await helloAnswer('alice-token', 'node1'), 'there is no terminal named node1');
  // What the pane is told: the other nodes and their terminals.
  const info = (await (await fetch(`${server.url}_labdeck/terminals.json`, { headers: { cookie: 'labdeck_token=alice-token' } })).json()) as {
    terminals: string[];
    nodes: unknown;
  };
  assert.deepEqual(info.terminals, ['shell']);
  assert.deepEqual(info.nodes, [
    { node: 'node2', terminal: 'node2' },
    { node: 'node3', terminal: 'node3' },
  ]);
});
