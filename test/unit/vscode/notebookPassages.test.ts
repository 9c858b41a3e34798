import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import type { Citation } from '../../../src/core/events';
import { fingerprintOf } from '../../../src/core/locatePassage';
import type { Passage } from '../../../src/core/passage';
import type { HostToPanel } from '../../../src/shared/messages';
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

    it('finds a cell’s outputs by the cell alone, while the notebook has it', () => {
      const output = { ...cellPassage, cellOutput: true as const, startLine: 1, endLine: 1, text: 'loaded 1200 rows' };
      assert.deepEqual(findCell(notebook('a', 'b'), output)?.lines, undefined);
      assert.equal(findCell(notebook('a', 'b'), output)?.cell.i, 1);
      assert.equal(findCell(notebook('a'), output), undefined);
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
          openPassage: async p => (record.opened.push(structuredClone(p)), 'exact'),
          runCommand: () => undefined,
          copy: () => undefined,
          openLink: () => undefined,
          save: turns => record.saved.push(structuredClone(turns)),
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
