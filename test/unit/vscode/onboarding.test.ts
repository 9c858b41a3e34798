import assert from 'node:assert/strict';
import Module from 'node:module';
import { WALKTHROUGH_ID } from '../../../src/shared/onboardingContext';
import type * as OnboardingModule from '../../../src/vscode/onboarding';

type Load = (request: string, ...rest: unknown[]) => unknown;
const loader = Module as unknown as { _load: Load };
type Onboarding = typeof OnboardingModule;

/** Loads a fresh src/vscode/onboarding with a `vscode` whose executeCommand records each call and answers with `answer`. */
function loadOnboarding(answer: (command: unknown) => Promise<unknown>): {
  onboarding: Onboarding;
  calls: unknown[][];
} {
  const calls: unknown[][] = [];
  const vscode = { commands: { executeCommand: (...args: unknown[]) => (calls.push(args), answer(args[0])) } };
  const path = require.resolve('../../../src/vscode/onboarding');
  delete require.cache[path];
  const load = loader._load;
  loader._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  try {
    return { onboarding: Module.createRequire(__filename)(path) as Onboarding, calls };
  } finally {
    loader._load = load;
  }
}

describe('onboarding context', () => {
  it('marks the walkthrough step an event completes, which a context key set before the walkthrough opened cannot', () => {
    const { onboarding, calls } = loadOnboarding(async () => undefined);
    onboarding.setOnboardingContext('indexReady');
    onboarding.setOnboardingContext('hasAsked');
    onboarding.setOnboardingContext('openedCitation');
    assert.deepEqual(
      calls.filter(c => c[0] === 'welcome.markStepComplete').map(c => c[1]),
      [`${WALKTHROUGH_ID}#indexWorkspace`, `${WALKTHROUGH_ID}#ask`, `${WALKTHROUGH_ID}#readCitation`],
    );
    assert.deepEqual(calls[0], ['setContext', 'grounded.indexReady', true]);
  });

  it('marks nothing for the conversation key, for a key set false, or for a value it already has', () => {
    const { onboarding, calls } = loadOnboarding(async () => undefined);
    onboarding.setOnboardingContext('hasConversation', true);
    onboarding.setOnboardingContext('indexReady', false);
    onboarding.setOnboardingContext('hasAsked');
    onboarding.setOnboardingContext('hasAsked');
    assert.deepEqual(
      calls.map(c => c[0]),
      ['setContext', 'setContext', 'setContext', 'welcome.markStepComplete'],
    );
  });

  it('ignores a VS Code that has no walkthrough command', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { onboarding } = loadOnboarding(async command => {
        if (command === 'welcome.markStepComplete') throw new Error("command 'welcome.markStepComplete' not found");
      });
      onboarding.setOnboardingContext('indexReady');
      await new Promise(resolve => setImmediate(resolve));
      await new Promise(resolve => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(
      unhandled.filter(r => String(r).includes('markStepComplete')),
      [],
    );
  });
});
