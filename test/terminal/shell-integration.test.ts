// OSC 633 parsing (sequences split anywhere across chunks), the nonce-checked command log, command templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandLog } from '../../src/terminal/command-log.ts';
import { parseCommandTemplate, substituteCommand } from '../../src/terminal/command-template.ts';
import { Osc633Parser, type Osc633Sequence } from '../../src/terminal/osc633-parser.ts';

const N = 'n0nce';
const stream = `ls\r\n\x1b]633;E;echo a\\x3bb\\x5cc \\\\d;${N}\x07\x1b]633;C;${N}\x1b\\out\x1b]0;title\x07\x1b]633;D;0;${N}\x07$ `;

test('633 sequences are extracted and stripped wherever the chunks split them; other OSCs pass', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    for (const size of [1, 3, 7, stream.length]) {
      const parser = new Osc633Parser();
      let text = '';
      const sequences: Osc633Sequence[] = [];
      const chunks = [stream.slice(0, cut), ...(stream.slice(cut).match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [])];
      for (const chunk of chunks) {
        const result = parser.push(chunk);
        text += result.text;
        sequences.push(...result.sequences);
      }
      text += parser.flush();
      assert.equal(text, 'ls\r\nout\x1b]0;title\x07$ ', `cut ${cut} size ${size}`);
      assert.deepEqual(
        sequences.map((s) => s.fields),
        [
          ['E', 'echo a;b\\c \\d', N],
          ['C', N],
          ['D', '0', N],
        ],
      );
    }
  }
});

test('a lone ESC at the end of a chunk is held only until the next chunk, and released at the end', () => {
  const parser = new Osc633Parser();
  assert.equal(parser.push('abc\x1b').text, 'abc');
  assert.equal(parser.push('[1m').text, '\x1b[1m');
  assert.equal(parser.push('x\x1b]6').text, 'x');
  assert.equal(parser.flush(), '\x1b]6');
});

test('the command log needs the nonce on every sequence and an E before C and D', () => {
  let now = 1000;
  const log = new CommandLog('alice/shell', N, () => now);
  const seq = (...fields: string[]) => log.accept({ fields });
  assert.equal(seq('P', 'Cwd=/home/alice', N), true);
  assert.equal(seq('D', '0', N), true, 'a D without E is accepted but records nothing');
  assert.equal(log.records.length, 0);
  assert.equal(seq('E', 'rm -rf /', 'forged'), false);
  assert.equal(seq('C', 'forged'), false);
  assert.equal(seq('D', '0'), false);
  assert.equal(log.records.length, 0);
  seq('E', 'docker ps', N);
  seq('C', N);
  now = 1500;
  seq('D', '1', 'forged'); // a program's forged D cannot finish the running command
  assert.equal(log.records.length, 0);
  seq('D', '0', N);
  assert.deepEqual(log.records, [{ command: 'docker ps', exitCode: 0, startedAt: 1000, endedAt: 1500, cwd: '/home/alice', terminal: 'alice/shell' }]);
});

test('command templates substitute values inside single argv words and refuse unsafe values', () => {
  const template = parseCommandTemplate('ssh -t {attendee}@node1 "cd /lab && bash"', ['attendee', 'terminal']);
  assert.deepEqual(substituteCommand(template, { attendee: 'alice', terminal: 'shell' }), ['ssh', '-t', 'alice@node1', 'cd /lab && bash']);
  const docker = parseCommandTemplate(['docker', 'exec', '-it', '{container}', 'sh'], ['container']);
  assert.deepEqual(substituteCommand(docker, { container: 'lab-alice.1' }), ['docker', 'exec', '-it', 'lab-alice.1', 'sh']);
  assert.throws(() => substituteCommand(template, { attendee: '-oProxyCommand=touch /tmp/x' }), /unsafe value for \{attendee\}/);
  assert.throws(() => substituteCommand(template, { attendee: 'a b' }), /unsafe value/);
  assert.throws(() => substituteCommand(docker, {}), /no value for \{container\}/);
  assert.throws(() => parseCommandTemplate('ssh {user}@node1', ['attendee']), /unknown placeholder \{user\}/);
  assert.throws(() => parseCommandTemplate('sh -c x"y', []), /quotes must surround whole words/);
  assert.throws(() => parseCommandTemplate('  ', []), /empty/);
});
