import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import type { Passage } from '../../../src/core/passage';
import type { HostToPanel } from '../../../src/shared/messages';
import { PanelController, type StoredTurn } from '../../../src/vscode/panelController';
import type { CitedPassage } from '../../../src/vscode/storedPassage';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever } from '../../fakes/fakeRetriever';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';

/** Lines 2-3 of page 4 of a PDF. */
const pagePassage: Passage = {
  id: 'docs/report.pdf#page=4:2-3',
  path: 'docs/report.pdf',
  location: '/ws/docs/report.pdf',
  startLine: 2,
  endLine: 3,
  page: 4,
  title: 'Page 4',
  text: 'Customers who churned cited pricing.\nRetention improved after onboarding calls.',
  score: 1,
};

describe('PDF passages in the panel', () => {
  it('lists a PDF source with its page, and keeps the page when it saves and reopens it', async () => {
    const model = new ScriptedChatModel(call =>
      call.system.startsWith('You grade') ? { reply: '{"relevant":[1]}' } : { tokens: ['Pricing drove churn [1].'] },
    );
    const retriever = new FakeRetriever(() => [pagePassage]);
    const posted: HostToPanel[] = [];
    const saved: StoredTurn[][] = [];
    const opened: CitedPassage[] = [];
    const ports = {
      post: (m: HostToPanel) => posted.push(structuredClone(m)),
      ask: (r: Parameters<typeof ask>[0]) => ask(r, { retriever, model, clock: new FakeClock() }),
      openPassage: async (p: CitedPassage) => (opened.push(structuredClone(p)), { how: 'exact' as const }),
      runCommand: () => undefined,
      copy: () => undefined,
      openLink: () => undefined,
      save: (turns: StoredTurn[]) => saved.push(structuredClone(turns)),
      saveStreaming: () => undefined,
      schedule: (fn: () => void) => fn(),
    };
    await new PanelController(ports).ask('why did customers churn?');
    const sources = posted.flatMap(m => (m.type === 'sources' ? m.sources : []));
    assert.deepEqual(
      sources.map(s => [s.path, s.startLine, s.endLine]),
      [['docs/report.pdf#page=4', 2, 3]],
    );
    const stored = saved.at(-1) ?? [];
    const restored = new PanelController(ports, structuredClone(stored));
    await restored.receive({ type: 'openCitation', turnId: stored[0]?.view.id ?? '', n: 1 });
    assert.deepEqual(
      opened.map(o => [o.path, o.page, o.startLine, o.endLine]),
      [['docs/report.pdf', 4, 2, 3]],
    );
  });
});
