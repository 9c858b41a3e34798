import * as vscode from 'vscode';
import type { AnswerMode, SelectionContext, Turn } from '../core/events';
import type { AskService } from './askService';
import { fixActions, GroundedError } from '../core/errors';
import { questionTooLong } from '../core/options';
import { citedRangesMarkdown } from './citationLinks';
import { chatModelAdvice, RETRY, renderToChat, type ChatSink } from './chatRender';
import { readModelSettings } from './modelSettings';
import { indexReportMarkdown, type IndexReport } from '../index';
import { lineSpan, passageLabel } from '../core/passage';
import { passageLocation, passageUri } from './locations';
import { withNotebooksLoaded } from './notebookCells';
import { questionWithoutReferences, referencedContext } from './selectionContext';
import { answerForHistory, type GroundedChatMetadata, type ResponsePart } from './chatHistory';
import { codeSpan } from '../shared/codeSpan';

export const PARTICIPANT_ID = 'grounded.chat';

/** Said to a `/search` with no words: `/search` searches the words typed, not an attached reference's text. */
const EMPTY_SEARCH = 'Type what to search for after `/search`, for example `/search where are logs written`.';

export interface ChatParticipantDeps {
  /** The one ask service; in chat it is given `request.model`, the model picked in the chat view. It logs failures. */
  ask: AskService<vscode.LanguageModelChat>;
  indexReport(): Promise<IndexReport>;
  /** Writes a failure outside the ask service (the /index report) to the log, once. */
  logFailure?(error: GroundedError): void;
}

/** A question the chat's Retry button asks again: as it was asked, with the lines it was asked about then. */
interface Retry {
  question: string;
  mode: AnswerMode;
  about?: SelectionContext;
}

/**
 * The Retry that the chat view is about to send. Retry asks again through the chat view, which sends only text: a
 * `#selection` in it would be read again from the editor as it is now, and a `#file:…` typed as text is no reference.
 * The request that sends its question next is asked with the lines of the first asking instead. Only a Retry of a
 * question asked about lines waits so (one about none is asked again as typed anyway), and a request that attaches
 * references of its own (`#file:…` typed, not VS Code's implicit ones) is a new question about them, never the Retry:
 * the chat view may send a Retry elsewhere (another participant, agent mode), and the same words typed later with
 * new lines attached must be asked about those.
 */
class PendingRetry {
  private pending: Retry | undefined;

  set(retry: Retry): void {
    this.pending = retry.about ? retry : undefined;
  }

  /** The Retry `request` in `mode` sends, if it is that; whatever comes next, the Retry is no longer pending. */
  take(request: vscode.ChatRequest, mode: AnswerMode): Retry | undefined {
    const retry = this.pending;
    this.pending = undefined;
    const attached = request.references.some(r => !String(r.id).startsWith('vscode.implicit.'));
    return retry && !attached && retry.mode === mode && retry.question.trim() === request.prompt.trim()
      ? retry
      : undefined;
  }
}

export function registerChatParticipant(deps: ChatParticipantDeps): vscode.Disposable {
  const retries = new PendingRetry();
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, createChatHandler(deps, retries));
  participant.iconPath = new vscode.ThemeIcon('book');
  participant.followupProvider = { provideFollowups: followups };
  // the chat's Retry button: asks the same question again in the chat view, about the same lines
  const retry = vscode.commands.registerCommand(RETRY.command, (question: unknown, mode: unknown, about: unknown) => {
    if (typeof question !== 'string') return;
    const retryMode: AnswerMode = mode === 'search' ? 'search' : 'answer';
    retries.set({ question, mode: retryMode, about: isSelectionContext(about) ? about : undefined });
    const slash = retryMode === 'search' ? '/search ' : '';
    return vscode.commands.executeCommand('workbench.action.chat.open', { query: `@grounded ${slash}${question}` });
  });
  return {
    dispose: () => {
      participant.dispose();
      retry.dispose();
    },
  };
}

function isSelectionContext(value: unknown): value is SelectionContext {
  const v = value as Partial<SelectionContext> | null | undefined;
  return (
    typeof v?.path === 'string' &&
    typeof v.text === 'string' &&
    typeof v.startLine === 'number' &&
    typeof v.endLine === 'number'
  );
}

function createChatHandler(deps: ChatParticipantDeps, retries: PendingRetry): vscode.ChatRequestHandler {
  return async (request, context, stream, token): Promise<vscode.ChatResult> => {
    if (request.command === 'index') return indexCommand(deps, stream);
    const mode: AnswerMode = request.command === 'search' ? 'search' : 'answer';
    const retry = retries.take(request, mode);
    // the words typed, without the text of any reference: what `/search` searches, and what its follow-up offers
    const words = questionWithoutReferences(request.prompt, request.references);
    // a /search of no words (only a reference, or nothing) has nothing to search: what to type, not a failure
    if (mode === 'search' && !words.trim()) {
      stream.markdown(EMPTY_SEARCH);
      const metadata: GroundedChatMetadata = { question: '', mode, cited: 0, failed: false, answer: '' };
      return { metadata };
    }
    // answers come from the chat view's model unless an OpenAI-compatible endpoint is configured
    const provider = readModelSettings().provider;
    const before = chatModelAdvice({ provider, mode, hasChatModel: !!request.model });
    if (before) {
      stream.markdown(before.markdown);
      for (const action of before.buttons) stream.button(action);
      // a question that got no answer, as a failed one: its follow-up is /search, which needs no model
      const metadata: GroundedChatMetadata = { question: words, mode, cited: 0, failed: true, answer: '' };
      return { metadata, errorDetails: { message: 'No chat model is available.' } };
    }
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    // a request cancelled before it began asks nothing
    if (token.isCancellationRequested) controller.abort();
    try {
      const { question, about } = retry ?? (await asked(request, mode, words));
      if (retry?.about) {
        const { path, startLine, endLine } = retry.about;
        stream.markdown(
          `*Asked again about ${codeSpan(`${path}:${lineSpan(startLine, endLine)}`)} as it read when first asked.*\n\n`,
        );
      }
      const events = deps.ask(
        { question, history: historyOf(context), context: about, mode, signal: controller.signal },
        request.model,
      );
      const outcome = await renderToChat(
        withNotebooksLoaded(events, passageUri),
        chatSink(stream, [question, mode, about]),
      );
      // the chat view's model is missing or refused: say what chat needs and where Grounded answers without it
      const after = chatModelAdvice({ provider, mode, hasChatModel: true, error: outcome.error });
      if (after) {
        stream.markdown(after.markdown);
        for (const action of after.buttons) stream.button(action);
      }
      const metadata: GroundedChatMetadata = {
        question: words,
        // a failure is the request's: the outcome of one says `answer` whatever was asked
        mode: outcome.error ? mode : outcome.mode,
        cited: outcome.cited,
        failed: !!outcome.error,
        answer: outcome.answer,
      };
      return outcome.error && outcome.error.kind !== 'cancelled'
        ? { metadata, errorDetails: { message: outcome.error.message } }
        : { metadata };
    } finally {
      cancel.dispose();
    }
  };
}

/**
 * What a request asks: `/search` the words typed; an answer the prompt, and with `#selection` or `#file:…` attached,
 * about those lines (as *Ask Grounded about Selection* asks), without the reference's text.
 */
async function asked(
  request: vscode.ChatRequest,
  mode: AnswerMode,
  words: string,
): Promise<{ question: string; about?: SelectionContext }> {
  if (mode === 'search') return { question: words };
  const referenced = await referencedContext(request.references);
  if (!referenced) return { question: request.prompt };
  const question = questionWithoutReferences(request.prompt, [referenced.reference]) || request.prompt;
  return { question, about: referenced.context };
}

/** `/index`: what the index holds; a failure is logged and shown with its fix buttons. */
async function indexCommand(deps: ChatParticipantDeps, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
  stream.progress('Reading the workspace index…');
  try {
    stream.markdown(indexReportMarkdown(await deps.indexReport()));
    return {};
  } catch (e) {
    const error =
      e instanceof GroundedError
        ? e
        : new GroundedError('index', 'Reading the workspace index failed. See the “Grounded” output for details.', {
            cause: e,
          });
    deps.logFailure?.(error);
    stream.markdown(error.message);
    for (const action of fixActions(error)) stream.button(action);
    return { errorDetails: { message: error.message } };
  }
}

function chatSink(stream: vscode.ChatResponseStream, retryArgs: unknown[]): ChatSink {
  return {
    progress: text => stream.progress(text),
    markdown: text => stream.markdown(text),
    anchor: (n, p) => stream.anchor(passageLocation(p), `[${n}] ${passageLabel(p, p.startLine, p.endLine)}`),
    reference: p => stream.reference(passageLocation(p)),
    citedRanges: ranges => stream.markdown(citedRangesMarkdown(ranges)),
    button: action =>
      stream.button({
        title: action.title,
        command: action.command,
        arguments: action.command === RETRY.command ? retryArgs : action.arguments,
      }),
  };
}

/**
 * This participant's earlier turns, as the user and the model wrote them, for follow-up questions: a question only
 * with its answer, which may be the part written before it broke or was stopped. A question that got none (too long,
 * a failure before the first word) is neither shown to the model as asked nor searched with a short follow-up.
 */
function historyOf(context: vscode.ChatContext): Turn[] {
  const turns: Turn[] = [];
  let asked: string | undefined;
  for (const turn of context.history) {
    if (turn.participant !== PARTICIPANT_ID) continue;
    if (turn instanceof vscode.ChatRequestTurn) {
      asked = turn.command ? undefined : turn.prompt;
    } else if (turn instanceof vscode.ChatResponseTurn && !turn.command && asked !== undefined) {
      const text = answerForHistory(turn.result.metadata, turn.response.map(responsePart));
      if (text) turns.push({ role: 'user', text: asked }, { role: 'assistant', text });
      asked = undefined;
    }
  }
  return turns;
}

function responsePart(part: vscode.ChatResponseTurn['response'][number]): ResponsePart {
  if (part instanceof vscode.ChatResponseMarkdownPart) return { kind: 'markdown', value: part.value.value };
  if (part instanceof vscode.ChatResponseAnchorPart) return { kind: 'anchor', title: part.title ?? '' };
  return { kind: 'other' };
}

function followups(result: vscode.ChatResult): vscode.ChatFollowup[] {
  const meta = result.metadata as GroundedChatMetadata | undefined;
  if (!meta) return [];
  // `/search` with the question, after an answer: never after a /search (it would show or fail the same), nor for a
  // question no search takes (empty, or over the length limit), which would fail as the answer did
  const asked = meta.question.trim();
  const search = (label: string): vscode.ChatFollowup[] =>
    meta.mode === 'answer' && asked && !questionTooLong(asked)
      ? [{ prompt: meta.question, command: 'search', label }]
      : [];
  if (meta.failed) return search('Show matching passages instead');
  if (meta.mode === 'answer' && meta.cited === 0)
    return [...search('Show the passages that match'), { prompt: '', command: 'index', label: 'What is indexed?' }];
  return search('Show all matching passages');
}
