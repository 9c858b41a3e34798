import assert from 'node:assert/strict';
import { ask as coreAsk } from '../../../src/core/ask';
import { GroundedError } from '../../../src/core/errors';
import { createAskService, type AskServiceDeps } from '../../../src/vscode/askService';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { defaultAskOptions } from '../../../src/core/options';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';
import { collect } from '../../support/collect';

const HELD_TOKEN = 'dapi-held-token-5f3a9c'; // a shape no pattern knows: only the held list redacts it

function service(overrides: Partial<AskServiceDeps<string>> = {}) {
  const warnings: string[] = [];
  const asked: { chatModel?: string }[] = [];
  const deps: AskServiceDeps<string> = {
    askDeps: () => ({
      retriever: new FakeRetriever(() => [passage(1, 'The widget is installed with npm install widget.')]),
      clock: new FakeClock(),
      options: NO_RETRIES,
    }),
    models: async chatModel => {
      asked.push({ chatModel });
      const failure = Object.assign(new Error(`upstream echoed ${HELD_TOKEN} and Bearer sk-abcdefghijklmnop`), {
        status: 500,
      });
      return { model: new ScriptedChatModel(() => ({ failBefore: failure })) };
    },
    loadCore: async () => ({ ask: coreAsk }),
    log: { warn: m => warnings.push(m) },
    heldSecrets: async () => [`${HELD_TOKEN}\n`, undefined], // stored as pasted, sent trimmed
    ...overrides,
  };
  return { ask: createAskService(deps), warnings, asked };
}

const NO_RETRIES = { ...defaultAskOptions, grading: false, retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } };

describe('ask service', () => {
  it('logs a failed answer (as the panel asks) once, with credential shapes and held secrets redacted', async () => {
    const { ask, warnings } = service();
    const events = await collect(ask({ question: 'how is the widget installed?' }));
    assert.equal(events.filter(e => e.type === 'error').length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^answer failed \(.*upstream echoed \[redacted\] and Bearer \[redacted\]/);
    assert.doesNotMatch(warnings[0] ?? '', /dapi-held-token-5f3a9c|sk-abcdefghijklmnop/);
  });

  it('turns a failure to resolve the models into one error event, logged once, instead of a throw', async () => {
    const { ask, warnings } = service({
      models: async () => {
        throw new GroundedError('no-model', `No model: the key ${HELD_TOKEN} was refused.`);
      },
    });
    const events = await collect(ask({ question: 'q' }));
    assert.deepEqual(
      events.map(e => e.type),
      ['error'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /no-model/);
    assert.doesNotMatch(warnings[0] ?? '', /dapi-held-token-5f3a9c/);
  });

  it('names the setting that set the input limit when a question cannot fit in it', async () => {
    const generator = new ScriptedChatModel(() => ({ tokens: ['x'] }));
    const { ask } = service({
      models: async () => ({ model: generator, maxInputTokens: 1024, maxInputTokensSource: 'setting' as const }),
    });
    const events = await collect(ask({ question: `why ${'does this fail '.repeat(300)}?` }));
    const last = events.at(-1);
    assert.equal(last?.type, 'error');
    assert.match(
      last?.type === 'error' ? last.error.message : '',
      /or raise grounded\.model\.maxInputTokens, which set this limit/,
    );
    assert.equal(generator.calls.length, 0);
  });

  it('fits the prompt to the input limit the resolved model states (a VS Code model’s maxInputTokens)', async () => {
    const generator = new ScriptedChatModel(() => ({ tokens: ['Run npm install widget [1].'] }));
    const { ask } = service({ models: async () => ({ model: generator, maxInputTokens: 500 }) });
    const history = [
      { role: 'user' as const, text: `how is it built? ${'detail '.repeat(400)}` },
      { role: 'assistant' as const, text: 'With esbuild.' },
    ];
    const events = await collect(ask({ question: 'and installed?', history }));
    assert.ok(
      events.some(
        e => e.type === 'step' && e.detail === 'Left out 2 earlier turns to fit the model’s context (500 tokens)',
      ),
    );
    assert.equal(generator.calls[0]?.messages.length, 2, 'the system prompt and the question with its passage');
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('passes the chat view’s model to the resolver, and asks for no model in search mode', async () => {
    const { ask, asked } = service();
    await collect(ask({ question: 'q' }, 'picked-in-chat'));
    await collect(ask({ question: 'q', mode: 'search' }, 'picked-in-chat'));
    assert.deepEqual(asked, [{ chatModel: 'picked-in-chat' }]);
  });

  it('names the model that wrote an answer on its done event, and none on search results', async () => {
    const { ask } = service({
      models: async () => ({
        model: new ScriptedChatModel(() => ({ tokens: ['Run npm install widget [1].'] })),
        label: 'GPT-4o (VS Code)',
      }),
    });
    const answered = (await collect(ask({ question: 'how is the widget installed?' }))).at(-1);
    assert.equal(answered?.type === 'done' && answered.model, 'GPT-4o (VS Code)');
    const searched = (await collect(ask({ question: 'widget', mode: 'search' }))).at(-1);
    assert.equal(searched?.type, 'done');
    assert.equal(searched?.type === 'done' && searched.model, undefined);
  });

  it('does not log a cancel or a finished answer', async () => {
    const controller = new AbortController();
    controller.abort();
    const { ask, warnings } = service();
    const cancelled = await collect(ask({ question: 'q', signal: controller.signal }));
    assert.equal(cancelled.at(-1)?.type, 'error');
    const searched = await collect(ask({ question: 'widget', mode: 'search' }));
    assert.equal(searched.at(-1)?.type, 'done');
    assert.deepEqual(warnings, []);
  });
});
