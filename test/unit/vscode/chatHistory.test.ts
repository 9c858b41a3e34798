import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import { passageLabel, type Passage } from '../../../src/core/passage';
import { answerForHistory, type ResponsePart } from '../../../src/vscode/chatHistory';
import { renderToChat, type ChatSink } from '../../../src/vscode/chatRender';
import { sourcesMarkdown } from '../../../src/vscode/sourcesMarkdown';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';

/** The parts a chat response holds after the renderer wrote it, as chatParticipant's sink writes them. */
class PartsSink implements ChatSink {
  readonly parts: ResponsePart[] = [];
  progress() {}
  markdown(value: string) {
    this.parts.push({ kind: 'markdown', value });
  }
  anchor(n: number, p: Passage) {
    this.parts.push({ kind: 'anchor', title: `[${n}] ${passageLabel(p, p.startLine, p.endLine)}` });
  }
  reference() {
    this.parts.push({ kind: 'other' });
  }
  citedRanges(ranges: Parameters<ChatSink['citedRanges']>[0]) {
    this.parts.push({ kind: 'markdown', value: sourcesMarkdown(ranges, 'Sources') });
  }
  button() {}
}

const retriever = new FakeRetriever(() => [
  passage(1, 'The car has wheels.\nFlux is 88.\nThe doors open upwards.'),
  passage(2, 'Rotation is daily.\nLogs go to /var/log.\nOld files are deleted.'),
]);

async function answered(tokens: string[]) {
  const model = new ScriptedChatModel(call =>
    call.system.startsWith('You grade') ? { reply: '{"relevant":[1,2]}' } : { tokens },
  );
  const sink = new PartsSink();
  const outcome = await renderToChat(ask({ question: 'flux?' }, { retriever, model, clock: new FakeClock() }), sink);
  return { parts: sink.parts, outcome };
}

describe('the history of a chat follow-up', () => {
  const tokens = ['Flux is 88 [1]. The moon is made of cheese [2]. Logs go to /var/log [2].'];

  it('gives the model the earlier answer as it wrote it, kept in the result metadata', async () => {
    const { parts, outcome } = await answered(tokens);
    assert.equal(answerForHistory({ answer: outcome.answer }, parts), tokens[0]);
  });

  it('rebuilds an answer without that metadata: anchors as [n], no Sources links or notes', async () => {
    const { parts } = await answered(tokens);
    const text = answerForHistory({ question: 'flux?', mode: 'answer', cited: 3, failed: false }, parts);
    assert.equal(text, tokens[0]);
    assert.doesNotMatch(text, /command:|location|%22/);
  });
});
