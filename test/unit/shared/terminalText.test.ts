import assert from 'node:assert/strict';
import { streamIo, type OutputStream } from '../../../src/cli/cliIo';
import { escapeName, terminalSafe } from '../../../src/shared/terminalText';

const ESC = '\u001b';
const BEL = '\u0007';

describe('terminalSafe', () => {
  it('removes an OSC 52 clipboard write, ended by BEL or by ST', () => {
    assert.equal(terminalSafe(`Run it${ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g=${BEL} now.`), 'Run it now.');
    assert.equal(terminalSafe(`a${ESC}]52;c;eA==${ESC}\\b`), 'ab');
  });

  it('removes clear-screen, cursor moves, colours and a window title', () => {
    assert.equal(terminalSafe(`${ESC}[2J${ESC}[H${ESC}[31mred${ESC}[0m ${ESC}]0;pwned${BEL}text`), 'red text');
  });

  it('removes backspaces and carriage returns that would overwrite what was printed, and the 8-bit CSI and OSC', () => {
    assert.equal(terminalSafe('safe\rrm -rf ~\b\b\b'), 'saferm -rf ~');
    assert.equal(terminalSafe('a\u009b2Jb\u009d0;title\u0007c'), 'abc');
    assert.equal(terminalSafe('windows\r\nline'), 'windows\nline');
  });

  it('leaves no ESC when a sequence is split across two writes', () => {
    const written = [`answer ${ESC}]52;c;`, `ZXZpbA==${BEL} end`].map(terminalSafe).join('');
    assert.ok(!written.includes(ESC) && !written.includes(BEL), JSON.stringify(written));
    assert.match(written, /^answer .* end$/);
  });

  it('keeps newlines, tabs and every printable character', () => {
    const text = 'Überblick:\n\t• naïve — 東京 🚀 [1]\n';
    assert.equal(terminalSafe(text), text);
  });
});

describe('escapeName', () => {
  it('writes a newline, a tab and an escape in a file name as escapes, so the name stays on one line', () => {
    assert.equal(escapeName('notes\nsrc/a.ts:1-9  9.999\tfake'), 'notes\\nsrc/a.ts:1-9  9.999\\tfake');
    assert.equal(escapeName(`x${ESC}]0;t${BEL}.md`), 'x\\x1b]0;t\\x07.md');
  });

  it('leaves ordinary names alone', () => {
    assert.equal(escapeName('docs/Überblick 2024 (final).md'), 'docs/Überblick 2024 (final).md');
  });
});

describe('streamIo', () => {
  const recorder = (isTTY: boolean) => {
    const writes: string[] = [];
    const stream: OutputStream = { isTTY, write: (text: string) => writes.push(text) };
    return { stream, writes };
  };

  it('makes text for a terminal inert, on stdout and on stderr', () => {
    const out = recorder(true);
    const err = recorder(true);
    const io = streamIo(out.stream, err.stream);
    io.out(`token ${ESC}]52;c;eA==${BEL}\n`);
    io.err(`grounded: ${ESC}[2Jfailed\n`);
    assert.deepEqual(out.writes, ['token \n']);
    assert.deepEqual(err.writes, ['grounded: failed\n']);
  });

  it('writes text for a pipe or a file as it is', () => {
    const out = recorder(false);
    const text = `colour ${ESC}[31mred${ESC}[0m\n`;
    streamIo(out.stream, recorder(false).stream).out(text);
    assert.deepEqual(out.writes, [text]);
  });
});
