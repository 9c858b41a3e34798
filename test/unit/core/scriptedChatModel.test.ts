import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { HumanMessage } from '@langchain/core/messages';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';

describe('ScriptedChatModel (test fake)', () => {
  it('leaves no abort listener on the call’s signal after a long stream', async () => {
    const model = new ScriptedChatModel(() => ({ tokens: Array.from({ length: 20 }, (_, i) => `w${i} `) }));
    const signal = new AbortController().signal;
    let text = '';
    for await (const chunk of model._streamResponseChunks([new HumanMessage('q')], { signal })) text += chunk.text;
    assert.equal(text.split(' ').length, 21);
    assert.equal(getEventListeners(signal, 'abort').length, 0);
  });
});
