import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import type { Citation } from '../../../src/core/events';
import { fingerprintOf } from '../../../src/core/locatePassage';
import type { Passage } from '../../../src/core/passage';
import type { HostToPanel } from '../../../src/shared/messages';
import { extractNotebook } from '../../../src/index/documents/notebook';
import { findCell } from '../../../src/vscode/findCell';
import { toCitationView } from '../../../src/vscode/panelCitations';
import { PanelController, type PanelPorts, type StoredTurn } from '../../../src/vscode/panelController';
import type { CitedPassage } from '../../../src/vscode/storedPassage';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever } from '../../fakes/fakeRetriever';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';

/** A notebook as findCell reads it: its cells' texts. */
const notebook = (...cells: string[]) => ({
  cellCount: cells.length,
  cellAt: (i: number) => ({ i, document: { getText: () => cells[i] ?? '' } }),
});

/** Lines 2-3 of cell 2 of churn.ipynb. */
const cellPassage: Passage = {
  id: 'churn.ipynb#cell=2:2-3',
  path: 'churn.ipynb',
  location: '/ws/churn.ipynb',
  startLine: 2,
  endLine: 3,
  cell: 2,
  text: "df = pd.read_csv('churn.csv')\ndf.describe()",
  score: 3,
};
const CELL_2 = "import pandas as pd\ndf = pd.read_csv('churn.csv')\ndf.describe()";

describe('notebook passages in VS Code', () => {
  describe('findCell', () => {
    it('finds the cited lines in the cited cell', () => {
      const found = findCell(notebook('# Churn', CELL_2, 'x = 1'), cellPassage);
      assert.deepEqual([found?.cell.i, found?.lines?.startLine, found?.lines?.endLine, found?.how], [1, 2, 3, 'exact']);
    });

    it('finds them again in the nearest cell that has them when cells moved, by text or by fingerprint', () => {
      const moved = notebook('# Churn', 'new cell', 'other', CELL_2);
      const byText = findCell(moved, cellPassage);
      assert.deepEqual([byText?.cell.i, byText?.lines?.startLine, byText?.how], [3, 2, 'moved']);
      const { text, ...rest } = cellPassage;
      const byFingerprint = findCell(moved, { ...rest, fingerprint: fingerprintOf(text) });
      assert.deepEqual([byFingerprint?.cell.i, byFingerprint?.how], [3, 'moved']);
    });

    it('finds nothing when no cell has the lines any more', () => {
      assert.equal(findCell(notebook('# Churn', 'import pandas as pd\ndf = load()'), cellPassage), undefined);
    });

    describe('a cell’s outputs', () => {
      const encode = (text: string) => new TextEncoder().encode(text);
      /** A code cell as VS Code's ipynb serializer loads one: stream text, a result's text/plain, an error as JSON. */
      const cellWithOutputs = (source: string, stdout: string, result?: string) => ({
        document: { getText: () => source },
        outputs: [
          { items: [{ mime: 'application/vnd.code.notebook.stdout', data: encode(stdout) }] },
          ...(result
            ? [
                {
                  items: [
                    { mime: 'text/html', data: encode('<b>x</b>') },
                    { mime: 'text/plain', data: encode(result) },
                  ],
                },
              ]
            : []),
          {
            items: [
              {
                mime: 'application/vnd.code.notebook.error',
                data: encode(JSON.stringify({ name: 'KeyError', message: "'region'", stack: 'Traceback…' })),
              },
            ],
          },
        ],
      });
      const cells = (...list: ReturnType<typeof cellWithOutputs>[]) => ({
        cellCount: list.length,
        cellAt: (i: number) => list[i]!,
      });
      // the lines the index cites for cell 2's outputs, extracted from the notebook's file
      const json = JSON.stringify({
        cells: [
          { cell_type: 'markdown', source: '# Churn' },
          {
            cell_type: 'code',
            source: 'df = load()',
            outputs: [
              { output_type: 'stream', name: 'stdout', text: ['loaded 1200 rows\n'] },
              {
                output_type: 'execute_result',
                data: { 'text/plain': ['   tenure\n', 'count 1200'], 'text/html': '<b>x</b>' },
              },
              { output_type: 'error', ename: 'KeyError', evalue: "'region'", traceback: [] },
            ],
          },
        ],
      });
      const doc = extractNotebook(json)!;
      const unit = doc.units.find(u => u.output)!;
      const outputLines = doc.text.split('\n').slice(unit.start, unit.end);
      const output = {
        path: 'churn.ipynb',
        location: '/ws/churn.ipynb',
        cell: 2,
        cellOutput: true as const,
        startLine: 3,
        endLine: 4,
        text: outputLines.slice(2, 4).join('\n'),
      };
      const markdown = cellWithOutputs('# Churn', '');
      const cited = () => cellWithOutputs('df = load()', 'loaded 1200 rows\n', '   tenure\ncount 1200');

      it('finds them in the cited cell, at their lines of its outputs’ text', () => {
        assert.deepEqual(outputLines, ['loaded 1200 rows', '   tenure', 'count 1200', "KeyError: 'region'"]);
        const found = findCell(cells(markdown, cited()), output);
        assert.deepEqual(
          [found?.cell.document.getText(), found?.lines, found?.how],
          ['df = load()', { startLine: 3, endLine: 4, how: 'exact' }, 'exact'],
        );
      });

      it('says the lines of the outputs’ text they are at in another cell, when its outputs put them elsewhere', () => {
        // the cell was run again in a new place, printing a line first: the cited lines are one line down
        const rerun = cellWithOutputs('df = load()', 'reading churn.csv\nloaded 1200 rows\n', '   tenure\ncount 1200');
        const found = findCell(cells(markdown, cellWithOutputs('x = 1', 'other\n'), rerun), output);
        assert.deepEqual(
          [found?.cell, found?.lines.startLine, found?.lines.endLine, found?.how],
          [rerun, 4, 5, 'moved'],
        );
      });

      it('finds them again in the cell that has them when cells were added above it, or says they are gone', () => {
        const inserted = cells(markdown, cellWithOutputs('x = 1', 'other\n'), cited());
        const found = findCell(inserted, output);
        assert.deepEqual([found?.cell.document.getText(), found?.how], ['df = load()', 'moved']);
        const { text, ...rest } = output;
        const byFingerprint = findCell(inserted, { ...rest, fingerprint: fingerprintOf(text) });
        assert.deepEqual([byFingerprint?.cell.document.getText(), byFingerprint?.how], ['df = load()', 'moved']);
        // run again with other results: the cited lines are no cell's outputs any more
        const rerun = cells(markdown, cellWithOutputs('df = load()', 'loaded 900 rows\n', '   tenure\ncount 900'));
        assert.equal(findCell(rerun, output), undefined);
        assert.equal(findCell(cells(markdown), output), undefined);
      });
    });
  });

  describe('the panel', () => {
    function ports(): { ports: PanelPorts; posted: HostToPanel[]; saved: StoredTurn[][]; opened: CitedPassage[] } {
      const model = new ScriptedChatModel(call =>
        call.system.startsWith('You grade') ? { reply: '{"relevant":[1]}' } : { tokens: ['It reads churn.csv [1].'] },
      );
      const retriever = new FakeRetriever(() => [cellPassage]);
      const record = { posted: [] as HostToPanel[], saved: [] as StoredTurn[][], opened: [] as CitedPassage[] };
      return {
        ...record,
        ports: {
          post: m => record.posted.push(structuredClone(m)),
          ask: r => ask(r, { retriever, model, clock: new FakeClock() }),
          openPassage: async p => (record.opened.push(structuredClone(p)), { how: 'exact' }),
          runCommand: () => undefined,
          copy: () => undefined,
          openLink: () => undefined,
          save: turns => record.saved.push(structuredClone(turns)),
          saveStreaming: () => undefined,
          schedule: fn => fn(),
        },
      };
    }

    it('lists a notebook source with its cell, and keeps the cell when it saves and reopens it', async () => {
      const { ports: p, posted, saved, opened } = ports();
      await new PanelController(p).ask('which file is read?');
      const sources = posted.flatMap(m => (m.type === 'sources' ? m.sources : []));
      assert.deepEqual(
        sources.map(s => [s.path, s.startLine, s.endLine]),
        [['churn.ipynb#cell=2', 2, 3]],
      );
      const stored = saved.at(-1) ?? [];
      assert.deepEqual(
        stored[0]?.passages.map(s => [s.path, s.cell, s.startLine]),
        [['churn.ipynb', 2, 2]],
      );
      const restored = new PanelController(p, structuredClone(stored));
      await restored.receive({ type: 'openCitation', turnId: stored[0]?.view.id ?? '', n: 1 });
      assert.deepEqual(
        opened.map(o => [o.path, o.cell, o.startLine, o.endLine]),
        [['churn.ipynb', 2, 2, 3]],
      );
    });

    it('names a citation chip’s place with the cell', () => {
      const citation: Citation = {
        ordinal: 0,
        n: 1,
        passage: cellPassage,
        startLine: 3,
        endLine: 3,
        claim: 'It describes the frame.',
      };
      assert.equal(toCitationView(citation).path, 'churn.ipynb#cell=2');
    });
  });
});
