import assert from 'node:assert/strict';
import { extractNotebook, NOTEBOOK_OUTPUT_CHARS } from '../../../../src/index/documents/notebook';
import { IMAGE_BASE64, sampleNotebook } from './documentFixtures';

describe('extractNotebook', () => {
  it('gives each cell its source lines, in order, with its kind; empty cells have no unit', () => {
    const doc = extractNotebook(sampleNotebook());
    assert.ok(doc);
    const lines = doc.text.split('\n');
    const sources = doc.units.filter(u => !u.output);
    assert.deepEqual(
      sources.map(u => ({ kind: u.kind, cell: u.cell, text: lines.slice(u.start, u.end).join('\n') })),
      [
        { kind: 'markdown', cell: 1, text: '# Churn analysis\n\nWe load the quarterly churn table.' },
        { kind: 'code', cell: 2, text: "import pandas as pd\ndf = pd.read_csv('churn.csv')\ndf.describe()" },
        { kind: 'code', cell: 4, text: 'def retention(df):\n    return 1 - df.churned.mean()' },
      ],
    );
  });

  it('puts the text outputs after every source, and never an image or HTML', () => {
    const doc = extractNotebook(sampleNotebook());
    assert.ok(doc);
    const outputs = doc.units.filter(u => u.output);
    assert.deepEqual(
      outputs.map(u => u.cell),
      [2],
    );
    const lastSource = Math.max(...doc.units.filter(u => !u.output).map(u => u.end));
    assert.ok((outputs[0]?.start ?? 0) >= lastSource);
    const lines = doc.text.split('\n');
    assert.deepEqual(lines.slice(outputs[0]?.start, outputs[0]?.end), [
      'loaded 1200 rows',
      '       tenure',
      'count  1200',
    ]);
    assert.ok(!doc.text.includes(IMAGE_BASE64.slice(0, 40)));
    assert.ok(!doc.text.includes('churnhtml'));
  });

  it('caps a cell’s outputs and takes off terminal colour codes', () => {
    const long = JSON.stringify({
      cells: [
        {
          cell_type: 'code',
          source: 'x',
          outputs: [{ output_type: 'stream', text: '\x1b[31mred\x1b[0m\n' + 'y'.repeat(10_000) }],
        },
      ],
    });
    const doc = extractNotebook(long);
    const output = doc?.units.find(u => u.output);
    assert.ok(doc && output);
    const text = doc.text.split('\n').slice(output.start, output.end).join('\n');
    assert.equal(text.length, NOTEBOOK_OUTPUT_CHARS);
    assert.ok(text.startsWith('red\n'));
  });

  it('names error outputs by their name and message, without the traceback', () => {
    const json = JSON.stringify({
      cells: [
        {
          cell_type: 'code',
          source: 'boom()',
          outputs: [
            { output_type: 'error', ename: 'KeyError', evalue: "'region'", traceback: ['\x1b[0;31mTraceback…'] },
          ],
        },
      ],
    });
    assert.equal(extractNotebook(json)?.text, "boom()\nKeyError: 'region'");
  });

  it('numbers cells as VS Code shows them: an entry that is no cell of a known type is none, and only code cells have outputs', () => {
    const json = JSON.stringify({
      nbformat: 4,
      cells: [
        { cell_type: 'markdown', source: '# Churn', outputs: [{ output_type: 'stream', text: 'not shown' }] },
        'stray',
        42,
        { source: 'no type' },
        { cell_type: 'heading', source: 'Old heading', level: 1 },
        { cell_type: 'code', source: 'df = load()', outputs: [{ output_type: 'stream', text: 'loaded 1200 rows' }] },
      ],
    });
    const doc = extractNotebook(json);
    assert.ok(doc);
    const lines = doc.text.split('\n');
    assert.deepEqual(
      doc.units.map(u => [u.cell, u.output === true, lines.slice(u.start, u.end).join('\n')]),
      [
        [1, false, '# Churn'],
        [2, false, 'df = load()'],
        [2, true, 'loaded 1200 rows'],
      ],
    );
  });

  it('reads a listed line written without its break as a line of its own, as VS Code shows the cell', () => {
    const json = JSON.stringify({
      cells: [
        {
          cell_type: 'code',
          source: ['import pandas as pd', "df = pd.read_csv('churn.csv')\n", 'df.describe()'],
          outputs: [{ output_type: 'stream', name: 'stdout', text: ['loaded', '1200 rows'] }],
        },
      ],
    });
    assert.deepEqual(extractNotebook(json)?.text.split('\n'), [
      'import pandas as pd',
      "df = pd.read_csv('churn.csv')",
      'df.describe()',
      'loaded',
      '1200 rows',
    ]);
  });

  it('reads nbformat 3 notebooks (worksheets, `input`)', () => {
    const json = JSON.stringify({
      nbformat: 3,
      worksheets: [{ cells: [{ cell_type: 'code', input: ['a = 1\n', 'b = 2'], outputs: [] }] }],
    });
    assert.deepEqual(extractNotebook(json)?.units, [{ kind: 'code', cell: 1, start: 0, end: 2 }]);
  });

  it('is undefined for what is not a notebook', () => {
    assert.equal(extractNotebook('{"cells": '), undefined);
    assert.equal(extractNotebook('[1, 2]'), undefined);
    assert.equal(extractNotebook('{"metadata": {}}'), undefined);
  });
});
