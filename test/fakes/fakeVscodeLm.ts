import Module from 'node:module';

/** The parts of the `vscode` module a language model tool uses, as plain classes a unit test can inspect. */
export class LanguageModelTextPart {
  constructor(readonly value: string) {}
}

export class LanguageModelToolResult {
  constructor(readonly content: unknown[]) {}
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

/** A CancellationToken whose `cancel()` fires its listeners, as CancellationTokenSource's does. */
export class FakeCancellationToken {
  isCancellationRequested = false;
  private readonly listeners: (() => void)[] = [];
  onCancellationRequested = (listener: () => void) => {
    this.listeners.push(listener);
    return { dispose: () => this.listeners.splice(this.listeners.indexOf(listener), 1) };
  };
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
}

export const fakeVscodeLm = { LanguageModelTextPart, LanguageModelToolResult, CancellationError, lm: {} };

type Load = (request: string, ...rest: unknown[]) => unknown;

/** Serves `fakeVscodeLm` to `require('vscode')` until the returned function is called. */
export function serveFakeVscode(): () => void {
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, ...rest) {
    return request === 'vscode' ? fakeVscodeLm : load.call(this, request, ...rest);
  };
  return () => {
    loader._load = load;
  };
}
