// Argument parsing and help: what a person types, what labdeck answers, and the exit codes (2 = usage mistake).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displayPath, listOption, parseCommandArgs, portOption, UsageError, workshopPathArg } from '../../src/commands/command.ts';
import { commandCatalog } from '../../src/commands/catalog.ts';
import { serveCommand } from '../../src/commands/serve.ts';
import { repoRoot, runLabdeck } from './run-cli.ts';

test('options are parsed by their declared type, positionals kept in order', () => {
  const args = parseCommandArgs(serveCommand, ['deck.yml', '--port', '9000', '--exclude', 'a, b,,c', '--open']);
  assert.deepEqual(args.positionals, ['deck.yml']);
  assert.equal(args.values.port, '9000');
  assert.equal(args.values.open, true);
  assert.equal(args.help, false);
  assert.deepEqual(listOption(args, 'exclude'), ['a', 'b', 'c']);
  assert.equal(listOption(args, 'only'), undefined);
  assert.equal(portOption(args, 'port', 8080), 9000);
  assert.equal(parseCommandArgs(serveCommand, ['--port=0']).values.port, '0');
  assert.equal(parseCommandArgs(serveCommand, ['-h']).help, true);
});

test('unknown options, missing values and bad ports are usage errors', () => {
  assert.throws(
    () => parseCommandArgs(serveCommand, ['--prot', '80']),
    (error: Error) => error instanceof UsageError && /Unknown option '--prot'/.test(error.message),
  );
  assert.throws(() => parseCommandArgs(serveCommand, ['--port']), UsageError);
  assert.throws(() => parseCommandArgs(serveCommand, ['--open=yes']), UsageError);
  for (const port of ['http', '-1', '65536', '8080x', '']) {
    assert.throws(() => portOption({ values: { port }, positionals: [] }, 'port', 8080), UsageError, port);
  }
  assert.equal(portOption({ values: {}, positionals: [] }, 'port', 8080), 8080);
});

test('the workshop path defaults to workshop.yml in the current folder and resolves relative to it', () => {
  assert.equal(workshopPathArg({ values: {}, positionals: [] }, '/home/me/talk'), '/home/me/talk/workshop.yml');
  assert.equal(workshopPathArg({ values: {}, positionals: ['../other/deck.yml'] }, '/home/me/talk'), '/home/me/other/deck.yml');
  assert.equal(workshopPathArg({ values: {}, positionals: ['/abs/deck.yml'] }, '/home/me/talk'), '/abs/deck.yml');
  assert.throws(() => workshopPathArg({ values: {}, positionals: ['a.yml', 'b.yml'] }, '/x'), /unexpected argument 'b\.yml'/);
});

test('paths under the current folder are shown relative, others absolute', () => {
  assert.equal(displayPath('/home/me/talk/slides/a.md', '/home/me/talk'), join('slides', 'a.md'));
  assert.equal(displayPath('/etc/deck.yml', '/home/me/talk'), '/etc/deck.yml');
});

test('labdeck --help lists every command; no command is a usage error', async () => {
  const help = await runLabdeck(['--help']);
  assert.equal(help.code, 0);
  for (const entry of commandCatalog) assert.match(help.stdout, new RegExp(`^  ${entry.name} `, 'm'));
  const none = await runLabdeck([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: labdeck <command>/);
});

test('every command has --help and `labdeck help <command>`, naming all its options', async () => {
  for (const entry of commandCatalog) {
    const command = await entry.load();
    const viaFlag = await runLabdeck([entry.name, '--help']);
    const viaHelp = await runLabdeck(['help', entry.name]);
    assert.equal(viaFlag.code, 0, entry.name);
    assert.equal(viaHelp.stdout, viaFlag.stdout);
    assert.match(viaFlag.stdout, new RegExp(`^Usage: labdeck ${entry.name}\\b`), 'the catalog loads the command its name says');
    assert.ok(viaFlag.stdout.includes(entry.summary), entry.name);
    for (const option of Object.keys(command.options)) assert.match(viaFlag.stdout, new RegExp(`--${option}\\b`));
  }
  const serveHelp = await runLabdeck(['help', 'serve']);
  assert.match(serveHelp.stdout, /--port N/);
  assert.match(serveHelp.stdout, /127\.0\.0\.1/);
});

test('unknown commands, unknown options and missing required options exit 2 with a clear message', async () => {
  const unknownCommand = await runLabdeck(['present']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /unknown command 'present'/);

  const unknownOption = await runLabdeck(['serve', '--verbose']);
  assert.equal(unknownOption.code, 2);
  assert.match(unknownOption.stderr, /^labdeck serve: Unknown option '--verbose'\nSee 'labdeck help serve'\.\n$/);

  const noJson = await runLabdeck(['slides']);
  assert.equal(noJson.code, 2);
  assert.match(noJson.stderr, /--json is required/);

  const noOut = await runLabdeck(['build']);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /--out DIR is required/);

  const badHelp = await runLabdeck(['help', 'nope']);
  assert.equal(badHelp.code, 2);
});

test('serve --allowed-hosts takes host names only: anything else is one clear line, exit 2', async () => {
  const run = await runLabdeck(['serve', '--allowed-hosts', 'labdeck.lan,http://evil.example/']);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^labdeck serve: --allowed-hosts: 'http:\/\/evil\.example\/' is not a host name \(e\.g\. labdeck\.lan or class\.example\.org:443\)\nSee 'labdeck help serve'\.\n$/,
  );
});

test('labdeck --version prints the version of package.json', async () => {
  const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const run = await runLabdeck([flag]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${version}\n`);
  }
});
