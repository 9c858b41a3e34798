import * as vscode from 'vscode';
import type { AnswerMode, Turn } from '../core/events';
import type { AskService } from './askService';
import { fixActions, GroundedError } from '../core/errors';
import { questionTooLong } from '../core/options';
import { citedRangesMarkdown } from './citationLinks';
import { chatModelAdvice, RETRY, renderToChat, type ChatSink } from './chatRender';
import { readModelSettings } from './modelSettings';
import { indexReportMarkdown, type IndexReport } from '../index';
import { passageRef } from '../core/passage';
import { passageLocation, passageUri } from './locations';
import { withNotebooksLoaded } from './notebookCells';
import { questionWithoutReferences, referencedContext } from './selectionContext';
import { answerForHistory, type GroundedChatMetadata, type ResponsePart } from './chatHistory';

export const PARTICIPANT_ID = 'grounded.chat';

export interface ChatParticipantDeps {
  /** The one ask service; in chat it is given `request.model`, the model picked in the chat view. It logs failures. */
  ask: AskService<vscode.LanguageModelChat>;
  indexReport(): Promise<IndexReport>;
  /** Writes a failure outside the ask service (the /index report) to the log, once. */
  logFailure?(error: GroundedError): void;
}

export function registerChatParticipant(deps: ChatParticipantDeps): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, createChatHandler(deps));
  participant.iconPath = new vscode.ThemeIcon('book');
  participant.followupProvider = { provideFollowups: followups };
  return participant;
}

export function createChatHandler(deps: ChatParticipantDeps): vscode.ChatRequestHandler {
  return async (request, context, stream, token): Promise<vscode.ChatResult> => {
    if (request.command === 'index') return indexCommand(deps, stream);
    const mode: AnswerMode = request.command === 'search' ? 'search' : 'answer';
    // the words typed, without the text of any reference: what `/search` searches, and what its follow-up offers
    const words = questionWithoutReferences(request.prompt, request.references);
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
    try {
      // `#selection` or `#file:…` attached: the answer is about those lines, as *Ask Grounded about Selection* asks
      const referenced = mode === 'answer' ? await referencedContext(request.references) : undefined;
      const question =
        mode === 'search'
          ? words
          : referenced
            ? questionWithoutReferences(request.prompt, [referenced.reference]) || request.prompt
            : request.prompt;
      const events = deps.ask(
        { question, history: historyOf(context), context: referenced?.context, mode, signal: controller.signal },
        request.model,
      );
      const outcome = await renderToChat(
        withNotebooksLoaded(events, passageUri),
        chatSink(stream, [request.prompt, mode]),
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
    anchor: (n, p) => stream.anchor(passageLocation(p), `[${n}] ${passageRef(p, p.startLine, p.endLine)}`),
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
