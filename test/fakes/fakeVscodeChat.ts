import { FakePosition, FakeRange, fakeVscodeWorkspace } from './fakeVscodeWorkspace';

/** `vscode.Uri` as far as chat anchors make and read one. */
export class FakeChatUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  get fsPath(): string {
    return this.path;
  }
  static file = (path: string) => new FakeChatUri('file', path);
  static parse = (value: string) => new FakeChatUri(value.slice(0, value.indexOf(':')), value);
  with(change: { scheme?: string }): FakeChatUri {
    return new FakeChatUri(change.scheme ?? this.scheme, this.path);
  }
  toString(): string {
    return this.scheme === 'file' ? `file://${this.path}` : this.path;
  }
}

export class FakeLocation {
  constructor(
    readonly uri: FakeChatUri,
    readonly range: FakeRange | FakePosition,
  ) {}
}

/** What a chat response holds, in order, as a test reads it. */
export type FakeChatPart =
  | { kind: 'markdown'; value: string }
  | { kind: 'anchor'; title: string }
  | { kind: 'reference' }
  | { kind: 'progress'; value: string }
  | { kind: 'button'; command: string; arguments?: unknown[] };

/** A `vscode.ChatResponseStream` that records every part written to it. */
export class FakeChatResponseStream {
  readonly parts: FakeChatPart[] = [];
  markdown(value: string | { value: string }): void {
    this.parts.push({ kind: 'markdown', value: typeof value === 'string' ? value : value.value });
  }
  anchor(_value: unknown, title?: string): void {
    this.parts.push({ kind: 'anchor', title: title ?? '' });
  }
  reference(): void {
    this.parts.push({ kind: 'reference' });
  }
  progress(value: string): void {
    this.parts.push({ kind: 'progress', value });
  }
  button(command: { command: string; arguments?: unknown[] }): void {
    this.parts.push({ kind: 'button', command: command.command, arguments: command.arguments });
  }
  /** The markdown written, joined as chat shows it. */
  get text(): string {
    return this.parts.map(p => (p.kind === 'markdown' ? p.value : p.kind === 'anchor' ? p.title : '')).join('');
  }
}

/** An earlier request of the conversation, as `vscode.ChatRequestTurn`. */
export class FakeChatRequestTurn {
  constructor(
    readonly prompt: string,
    readonly participant: string,
    readonly command?: string,
    readonly references: readonly unknown[] = [],
  ) {}
}

/** An earlier response of the conversation, as `vscode.ChatResponseTurn`. */
export class FakeChatResponseTurn {
  constructor(
    readonly response: readonly unknown[],
    readonly result: { metadata?: unknown },
    readonly participant: string,
    readonly command?: string,
  ) {}
}

/**
 * The parts of the `vscode` module the chat participant (src/vscode/chatParticipant.ts) uses: the chat API, with a
 * participant whose handler and follow-up provider a test calls, and what its anchors are made of; settings and
 * commands as `fakeVscodeWorkspace` has them.
 */
export function fakeVscodeChat() {
  const base = fakeVscodeWorkspace();
  const participants = new Map<string, { handler: unknown; followupProvider?: unknown }>();
  class MarkdownString {
    isTrusted: unknown;
    constructor(readonly value = '') {}
  }
  const vscode = {
    ...base.vscode,
    Uri: FakeChatUri,
    Location: FakeLocation,
    Position: FakePosition,
    Range: FakeRange,
    MarkdownString,
    ThemeIcon: class {
      constructor(readonly id: string) {}
    },
    ChatRequestTurn: FakeChatRequestTurn,
    ChatResponseTurn: FakeChatResponseTurn,
    ChatResponseMarkdownPart: class {
      constructor(readonly value: MarkdownString) {}
    },
    ChatResponseAnchorPart: class {
      constructor(
        readonly value: unknown,
        readonly title?: string,
      ) {}
    },
    chat: {
      createChatParticipant: (id: string, handler: unknown) => {
        const participant = { handler, followupProvider: undefined as unknown, dispose: () => participants.delete(id) };
        participants.set(id, participant);
        return participant;
      },
    },
    workspace: {
      ...base.vscode.workspace,
      notebookDocuments: [] as unknown[],
      openNotebookDocument: async () => undefined,
      asRelativePath: (p: unknown) => String(p),
    },
  };
  return { ...base, vscode, participants };
}

/** A cancellation token that is never cancelled. */
export const NEVER_CANCELLED = {
  isCancellationRequested: false,
  onCancellationRequested: () => ({ dispose: () => undefined }),
};
