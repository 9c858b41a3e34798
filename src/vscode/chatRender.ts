import { fixActions, SELECT_MODEL, type ErrorAction, type GroundedError } from '../core/errors';
import { HAS_WORDS, POINTER } from '../core/citations/claims';
import { citedSpan } from '../core/citations/resolve';
import type { AnswerEvent, AnswerMode, Citation } from '../core/events';
import type { Passage } from '../core/passage';
import { closingFence, MarkerScanner, SpaceBeforeHidden, type MarkerPiece } from '../shared/citationMarkers';
import { rangeKey, sourcesToShow, verdictWords } from '../shared/sourcesToShow';
import type { CitedRange } from './sourcesMarkdown';

/** What the chat renderer needs from a ChatResponseStream; tests pass a spy. */
export interface ChatSink {
  progress(text: string): void;
  markdown(text: string): void;
  anchor(n: number, passage: Passage): void;
  reference(passage: Passage): void;
  /**
   * The distinct cited ranges after the answer, with their final verdicts, as links that find their lines again if
   * the file changed since.
   */
  citedRanges(ranges: CitedRange[]): void;
  button(action: ErrorAction): void;
}

export interface ChatOutcome {
  answer: string;
  mode: AnswerMode;
  cited: number;
  error?: GroundedError;
}

export const RETRY: ErrorAction = { title: 'Retry', command: 'grounded.retry' };

/** Opens the side panel, which answers without a VS Code chat model. */
export const OPEN_PANEL: ErrorAction = { title: 'Open Grounded Panel', command: 'grounded.panel.focus' };

/**
 * Why chat cannot answer without a VS Code chat model, and where Grounded can: VS Code calls a participant only with
 * the model picked in the chat view, while the panel answers with an OpenAI-compatible endpoint or, with no model
 * at all, shows the matching passages.
 */
export const NO_CHAT_MODEL_ADVICE =
  '\n\n**@grounded in chat needs a VS Code chat model**: VS Code sends each chat request with the model picked in ' +
  'the chat view, and answers come from it. Pick another model there, or use the **Grounded panel**: it answers with ' +
  'an OpenAI-compatible endpoint (*Grounded: Select Model*) and, with no model at all, lists the matching passages.';

/** What chat says about its model, and the buttons it offers with it. */
export interface ChatModelAdvice {
  markdown: string;
  buttons: ErrorAction[];
}

/**
 * Whether chat must explain that it needs a VS Code chat model: before asking, when answers come from the chat
 * view's model (provider `vscode`) and the request carries none; after, when that model was missing or refused
 * (`no-model`). With an OpenAI-compatible endpoint the chat model is not what answers, so there is nothing to say.
 */
export function chatModelAdvice(situation: {
  provider: 'vscode' | 'openai-compatible';
  mode: AnswerMode;
  hasChatModel: boolean;
  error?: GroundedError;
}): ChatModelAdvice | undefined {
  if (situation.provider !== 'vscode') return undefined;
  if (!situation.error && situation.mode === 'answer' && !situation.hasChatModel)
    return { markdown: NO_CHAT_MODEL_ADVICE.trimStart(), buttons: [OPEN_PANEL, SELECT_MODEL] };
  // the error's own buttons (Select Model among them) are already shown
  if (situation.error?.kind === 'no-model') return { markdown: NO_CHAT_MODEL_ADVICE, buttons: [OPEN_PANEL] };
  return undefined;
}

/** Said after an anchor whose lines do not support the claim before it. */
export const UNSUPPORTED_NOTE = ' *(⚠ the cited lines do not say this)*';
/** Said after an anchor whose lines say only part of the claim before it. */
export const PARTIAL_NOTE = ' *(partly supported)*';
/**
 * Said after an anchor that the check moved to another source than the model cited: the anchor names the source that
 * says the claim, the model wrote `[from]`. The brackets are escaped, so a `[n]: url` the answer defines takes no part.
 */
export const movedNote = (from: number): string => ` *(moved from \\[${from}\\])*`;
/** Said after the partial text of an answer whose stream broke. */
export const INTERRUPTED_NOTE = '\n\n*— answer interrupted —*';

/**
 * An aside still open after a marker that may yet turn out to only point at the source (`(see`, `(according to`):
 * a bracket after white space and a few words, no closing bracket and no sentence end; or the start of a word that may
 * yet join the marker to the next (`[1] an` of `[1] and [2]`).
 */
const OPEN_ASIDE = /(?:^|\s)[([][\p{L}\s.:]{0,24}$|^\s*[,;]?\s*(?:an?|o)$/iu;

/**
 * Whether `text`, written after a marker, may still end in the next marker of the same claim: it has no words but a
 * pointing aside (`POINTER`, as the core reads it), or an aside that may become one is still open.
 */
function mayShareClaim(text: string): boolean {
  return !HAS_WORDS.test(text.replace(POINTER, '')) || OPEN_ASIDE.test(text);
}

/**
 * Maps the core's events onto chat: progress per step, markdown with inline anchors that select the lines each claim
 * was aligned to (and a note where they do not support it, or only partly, or the check moved it to another source),
 * the distinct cited ranges listed at the end (an answer that cites nothing lists what it was written from as
 * references).
 */
export async function renderToChat(events: AsyncIterable<AnswerEvent>, sink: ChatSink): Promise<ChatOutcome> {
  let scanner = new MarkerScanner();
  let spaces = new SpaceBeforeHidden();
  let sources: Passage[] = [];
  // citations arrive before the token that holds their marker; a marker finds its own by ordinal
  const citations = new Map<number, Citation>();
  const markdown = (text: string) => {
    if (text) sink.markdown(text);
  };
  const writeOne = (piece: MarkerPiece) => {
    if (piece.type === 'text') {
      markdown(spaces.text(piece.text));
      return;
    }
    const citation = citations.get(piece.ordinal);
    // a number that names no source is left out, as the model invented it, with the space before it
    const passage = citation ? citedSpan(citation) : sources[piece.n - 1];
    markdown(spaces.marker(passage !== undefined));
    if (!passage) return;
    sink.anchor(citation?.n ?? piece.n, passage);
    if (citation?.movedFrom !== undefined) sink.markdown(movedNote(citation.movedFrom));
    if (citation?.support === 'unsupported') sink.markdown(UNSUPPORTED_NOTE);
    if (citation?.support === 'partial') sink.markdown(PARTIAL_NOTE);
  };
  // a claim's markers (`[1][3]`, `[1], [3]`, `[1] (see [2])`) are written once the next words show it cites no more,
  // as the core groups them (words other than a pointing aside): a later one can change the verdict on an earlier one
  // (a source the claim also cites is no rival), and a note cannot be taken back
  let held: MarkerPiece[] = [];
  /** The text held since the last held marker. */
  let heldText = '';
  const release = () => {
    for (const piece of held) writeOne(piece);
    held = [];
    heldText = '';
  };
  /** Everything held, at the end of the answer. */
  const finish = () => {
    write(scanner.flush());
    release();
    markdown(spaces.flush());
  };
  // a marker that comes before its claim (`According to [1], …`) has its citation sent when the claim's sentence
  // ends: it is held, with the text after it, until then
  const awaited = () =>
    held.some(p => p.type === 'marker' && !citations.has(p.ordinal) && sources[p.n - 1] !== undefined);
  const write = (pieces: MarkerPiece[]) => {
    for (const piece of pieces) {
      if (piece.type === 'marker') {
        held.push(piece);
        heldText = '';
        continue;
      }
      if (held.length > 0 && (awaited() || mayShareClaim(heldText + piece.text))) {
        held.push(piece);
        heldText += piece.text;
        continue;
      }
      release();
      writeOne(piece);
    }
  };
  for await (const event of events) {
    switch (event.type) {
      case 'step':
        // the answer has paused (a retry, the model check): what is held is written with what is known now
        release();
        sink.progress(event.detail);
        break;
      case 'sources':
        sources = event.sources;
        scanner = new MarkerScanner();
        markdown(spaces.flush());
        spaces = new SpaceBeforeHidden();
        held = [];
        citations.clear();
        break;
      case 'citation':
        citations.set(event.citation.ordinal, event.citation);
        break;
      case 'token':
        write(scanner.push(event.text));
        break;
      case 'done': {
        finish();
        // each cited range once; an answer that cites nothing still shows what it was written from
        const shown = sourcesToShow(event, sources);
        if (shown.kind === 'cited') sink.citedRanges(citedRanges(shown.ranges, shown.citations));
        else for (const p of shown.sources) sink.reference(p);
        return { answer: event.answer, mode: event.mode, cited: event.citations.length };
      }
      case 'error':
        finish();
        if (event.partial) {
          // chat joins the parts into one markdown: a note after an unclosed code block would be shown as code
          const close = closingFence(event.partial);
          if (close) sink.markdown(close);
          sink.markdown(INTERRUPTED_NOTE);
          // what the partial answer cited so far, as links that find their lines again (its anchors keep theirs)
          const cited = [...citations.values()].sort((a, b) => a.ordinal - b.ordinal);
          const shown = sourcesToShow({ citations: cited, mode: 'answer' }, sources);
          if (shown.kind === 'cited') sink.citedRanges(citedRanges(shown.ranges, shown.citations));
        }
        // the fixes first (Set API Key, Open Setting, Show Log…), then Retry where asking again can help
        for (const action of fixActions(event.error)) sink.button(action);
        if (event.error.kind !== 'bad-input' && event.error.kind !== 'cancelled') sink.button(RETRY);
        return { answer: event.partial, mode: 'answer', cited: 0, error: event.error };
      default: {
        const unknown: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  }
  finish();
  return { answer: '', mode: 'answer', cited: 0 };
}

/**
 * Each distinct cited range with the final verdict on the claims that cite it, in words: what the model check
 * decided after the anchors were written shows here. A range cited by claims with different verdicts says how many.
 */
export function citedRanges(ranges: readonly Citation[], citations: readonly Citation[]): CitedRange[] {
  return ranges.map(range => {
    const span = citedSpan(range);
    const key = rangeKey(range);
    const verdict = verdictWords(citations.filter(c => rangeKey(c) === key).map(c => c.support));
    return verdict ? { span, verdict } : { span };
  });
}
