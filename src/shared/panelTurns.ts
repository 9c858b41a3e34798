// How a panel turn changes with each message about it: the host keeps its copy of the turn with this, and the
// webview renders its copy with it, so the two cannot disagree. Pure: no DOM, no VS Code.
import { lineSpan } from '../core/passage';
import { closingFence, withoutInventedNumbers } from './citationMarkers';
import { withoutExcerpt, type HostToPanel, type SourceView, type TurnView } from './messages';
import { verdictWords } from './sourcesToShow';

/** The messages about one turn; the others (`restore`, `turnStarted`, `cleared`, `focusInput`) are not about one. */
export type TurnMessage = Extract<HostToPanel, { turnId: string }>;

/** Turns a conversation keeps (host and webview alike): the oldest beyond them are dropped. */
export const MAX_SAVED_TURNS = 30;

/** `turn` after `message`; `turn` itself is left as it was. */
export function reduceTurn(turn: TurnView, message: TurnMessage): TurnView {
  switch (message.type) {
    case 'step':
      return { ...turn, step: message.detail };
    case 'sources':
      return { ...turn, sources: message.sources };
    case 'tokens':
      return { ...turn, answer: turn.answer + message.text };
    case 'citation':
      return { ...turn, citations: byOrdinal(turn.citations, message.citation) };
    case 'citationStale': {
      if (message.stale !== false) return { ...turn, stale: [...new Set([...(turn.stale ?? []), message.n])] };
      const { stale = [], ...fresh } = turn;
      const others = stale.filter(n => n !== message.n);
      return others.length > 0 ? { ...fresh, stale: others } : fresh;
    }
    case 'done': {
      const done: TurnView = { ...turn, status: 'done', step: undefined, cited: message.cited };
      if (message.model) done.model = message.model;
      if (message.searchOnly) done.searchOnly = true;
      return done;
    }
    case 'error':
      return {
        ...turn,
        status: message.status,
        step: undefined,
        // what the partial answer cited so far is cited, not only retrieved
        cited: citedSoFar(turn),
        error: message.actionTitles?.length
          ? { message: message.message, actionTitles: message.actionTitles }
          : { message: message.message },
      };
    default: {
      const unknown: never = message;
      throw new Error(`unhandled turn message ${JSON.stringify(unknown)}`);
    }
  }
}

/** The source numbers a turn's citations point at, each once, in the order first cited; `cited` without them. */
function citedSoFar(turn: TurnView): number[] {
  if (!turn.citations?.length) return turn.cited;
  const sources = new Set(turn.sources.map(s => s.n));
  return [...new Set(turn.citations.map(c => c.n))].filter(n => sources.has(n));
}

/** `list` with `item` in place of the one with its ordinal, in ordinal order. */
export function byOrdinal<T extends { ordinal: number }>(list: readonly T[] | undefined, item: T): T[] {
  return [...(list ?? []).filter(x => x.ordinal !== item.ordinal), item].sort((a, b) => a.ordinal - b.ordinal);
}

/**
 * A turn as saved state may hold it: a conversation saved before errors offered several fixes kept one fix's
 * `actionTitle`.
 */
export type SavedTurnView = Omit<TurnView, 'error'> & {
  error?: NonNullable<TurnView['error']> & { actionTitle?: string };
};

/** A saved turn as the panel renders it now: a lone `actionTitle` becomes the one title of `actionTitles`. */
export function upgradeSavedView(saved: SavedTurnView): TurnView {
  const { error, ...view } = saved;
  if (!error) return view;
  const { actionTitle, ...rest } = error;
  return { ...view, error: actionTitle && !rest.actionTitles ? { ...rest, actionTitles: [actionTitle] } : rest };
}

/** The turn as saved state keeps it: citations without their excerpts (text of the cited files). */
export function withoutExcerpts(turn: TurnView): TurnView {
  return turn.citations ? { ...turn, citations: turn.citations.map(withoutExcerpt) } : turn;
}

/**
 * A turn's sources as the panel lists them: the ones its answer cites, and the others it retrieved (shown apart,
 * labelled as not cited). An answer that cites nothing lists every source as not cited.
 */
export function splitSources(turn: Pick<TurnView, 'sources' | 'cited'>): {
  cited: SourceView[];
  uncited: SourceView[];
} {
  const cited = new Set(turn.cited);
  return {
    cited: turn.sources.filter(s => cited.has(s.n)),
    uncited: turn.sources.filter(s => !cited.has(s.n)),
  };
}

/** One distinct range of lines that an answer's citations of a source point at. */
export interface CitedLines {
  /**
   * Where the lines are, as the source's `path` names its own (`nb.ipynb#cell=3`): a notebook citation found again in
   * another cell after the notebook changed is in that cell, not the source's.
   */
  path: string;
  startLine: number;
  endLine: number;
  /** The first citation that points at it: opening the range opens that citation (found again if its file changed). */
  ordinal: number;
  /** The heading the lines are under, when there is one. */
  heading?: string;
  /** What checking said of the claims that cite it, in words; empty when each is supported. */
  verdict: string;
  /** The file changed and the lines could not be found again. */
  stale: boolean;
}

/** The distinct ranges of lines that the turn's citations of source `n` point at, in the order first cited. */
export function citedLinesOf(turn: Pick<TurnView, 'citations'>, n: number): CitedLines[] {
  const citing = (turn.citations ?? []).filter(c => c.n === n);
  const ranges = new Map<string, typeof citing>();
  for (const c of citing) {
    const key = `${c.path}:${c.startLine}-${c.endLine}`;
    ranges.set(key, [...(ranges.get(key) ?? []), c]);
  }
  return [...ranges.values()].map(group => {
    const first = group[0] as (typeof citing)[number];
    const lines: CitedLines = {
      path: first.path,
      startLine: first.startLine,
      endLine: first.endLine,
      ordinal: first.ordinal,
      verdict: verdictWords(group.map(c => c.support)),
      stale: group.some(c => c.stale),
    };
    if (first.heading) lines.heading = first.heading;
    return lines;
  });
}

/** A range of lines in words, as the panel names it to people: `line 56`, `lines 56–60`. */
export const lineRangeText = ({ startLine, endLine }: { startLine: number; endLine: number }): string =>
  startLine === endLine ? `line ${startLine}` : `lines ${startLine}–${endLine}`;

/**
 * What *Copy* puts on the clipboard: the answer as written, then the sources it cites as `[n] path:lines`, in the
 * order the panel lists them, so each `[n]` pasted elsewhere still names where it comes from: the lines its claims
 * cite (`[1] docs/a.md:56, 58-60`), or the source's whole passage where the answer's citations are not known (a
 * conversation saved before they were kept). A code block the answer leaves open (it was cut off) is closed before
 * them, as chat closes it.
 */
export function copyText(view: TurnView): string {
  const { cited } = splitSources(view);
  // as the panel shows it: a number that names no source is left out, and a citation the check moved to another
  // source names that one (its chip's number, which the list below holds), not the number the model wrote
  const citedAs = new Map((view.citations ?? []).map(c => [c.ordinal, c.n]));
  const answer = withoutInventedNumbers(view.answer, view.sources.length, ordinal => citedAs.get(ordinal));
  if (cited.length === 0) return answer;
  const lines = cited.map(s => {
    const ranges = citedLinesOf(view, s.n);
    if (!ranges.length) return `[${s.n}] ${s.path}:${lineSpan(s.startLine, s.endLine)}`;
    // the lines of each place they are in (a notebook citation found again in another cell names that cell)
    const places = new Map<string, string[]>();
    for (const l of ranges) places.set(l.path, [...(places.get(l.path) ?? []), lineSpan(l.startLine, l.endLine)]);
    return `[${s.n}] ${[...places].map(([path, spans]) => `${path}:${spans.join(', ')}`).join(', ')}`;
  });
  // an answer cut off inside a code block has it closed first, so the sources pasted after it are not code
  const body = answer.trimEnd();
  return `${body}${closingFence(body)}\n\nSources:\n${lines.join('\n')}\n`;
}
