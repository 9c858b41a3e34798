// The messages between the extension host and the side panel's webview, both ways. Plain data only: they
// cross postMessage. The webview never names a file or a command: it sends ids the host looks up.
import type { Support } from '../core/events';

/** A source as the panel shows it; `n` is the number `[n]` in the answer. */
export interface SourceView {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
  title?: string;
}

/**
 * One cited number of an answer as the panel shows it: the marker with this `ordinal` (counted as MarkerScanner
 * counts) points at lines `startLine`-`endLine` of `path`, which say `claim` as well as `support` tells.
 */
export interface CitationView {
  ordinal: number;
  /** The source it points at; when checking moved the citation, `movedFrom` is the number the model wrote. */
  n: number;
  path: string;
  startLine: number;
  endLine: number;
  support?: Support;
  movedFrom?: number;
  claim: string;
  /** The heading the cited lines are under (the innermost, not the passage's whole trail), when there is one. */
  heading?: string;
  /** The first lines of the cited text, for the hover; never saved (a restored chip shows the claim instead). */
  excerpt?: string;
  /** The file changed and the cited lines could not be found again. */
  stale?: boolean;
}

/** A citation as saved state keeps it: without the excerpt, which is text of the cited file. */
export function withoutExcerpt({ excerpt: _excerpt, ...kept }: CitationView): CitationView {
  return kept;
}

export type TurnStatus = 'streaming' | 'done' | 'interrupted' | 'failed' | 'stopped';

/** One question and its answer, as the panel renders (and restores) it. */
export interface TurnView {
  id: string;
  question: string;
  /** The selection the question is about (`path:start-end`), when asked from the editor. */
  about?: string;
  step?: string;
  answer: string;
  sources: SourceView[];
  /** Numbers the answer cites that map to a source; others are never rendered as citations. */
  cited: number[];
  status: TurnStatus;
  /** `actionTitles`: the buttons that fix it, in order; the host keeps what each runs. */
  error?: { message: string; actionTitles?: string[] };
  /** Citation numbers found stale (the file changed and the text could not be found again). */
  stale?: number[];
  /** The answer's citations by ordinal, as the core aligned them (absent in conversations saved before). */
  citations?: CitationView[];
  /** Who answered, for people ("GPT-4o (VS Code)"); absent for search results. */
  model?: string;
  /** No language model was available, so the answer is search results: the panel offers to select one. */
  searchOnly?: boolean;
}

export type HostToPanel =
  /** `undoable`: a conversation *New Conversation* cleared can still be brought back. */
  | { type: 'restore'; turns: TurnView[]; undoable?: boolean }
  | { type: 'turnStarted'; turn: TurnView }
  | { type: 'step'; turnId: string; detail: string }
  | { type: 'sources'; turnId: string; sources: SourceView[] }
  | { type: 'tokens'; turnId: string; text: string }
  | { type: 'done'; turnId: string; cited: number[]; model?: string; searchOnly?: boolean }
  | {
      type: 'error';
      turnId: string;
      status: Extract<TurnStatus, 'interrupted' | 'failed' | 'stopped'>;
      message: string;
      actionTitles?: string[];
    }
  /** Source `n`'s lines could not be found again; `stale: false`: they were found again, so it is no longer stale. */
  | { type: 'citationStale'; turnId: string; n: number; stale?: false }
  /** A citation aligned, checked again, or found stale: it replaces the one with the same ordinal. */
  | { type: 'citation'; turnId: string; citation: CitationView }
  /** The conversation was emptied; `undoable`: the host keeps it until the panel's Undo asks for it back. */
  | { type: 'cleared'; undoable?: boolean }
  /** Put the cursor in the question box (after *Grounded: Ask…* answers in the panel). */
  | { type: 'focusInput' };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'ask'; question: string }
  | { type: 'stop' }
  | { type: 'retry'; turnId: string }
  /** A source (`n`), or a chip (`ordinal` of its marker, and `n` to open when its citation is not known). */
  | { type: 'openCitation'; turnId: string; n: number; ordinal?: number }
  /** The fix button at `index` of the turn's `actionTitles`. */
  | { type: 'runAction'; turnId: string; index: number }
  | { type: 'copy'; text: string }
  | { type: 'openLink'; url: string }
  /** Bring back the conversation *New Conversation* cleared. */
  | { type: 'undoClear' }
  /** Run *Grounded: Select Model* (offered when answers are search results for want of a model). */
  | { type: 'selectModel' };

const PANEL_TO_HOST = new Set<PanelToHost['type']>([
  'ready',
  'ask',
  'stop',
  'retry',
  'openCitation',
  'runAction',
  'copy',
  'openLink',
  'undoClear',
  'selectModel',
]);

/** Checks a message from the webview before the host acts on it: the webview renders untrusted text. */
export function parsePanelMessage(raw: unknown): PanelToHost | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !PANEL_TO_HOST.has(m.type as PanelToHost['type'])) return undefined;
  const str = (k: string) => typeof m[k] === 'string';
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'undoClear':
    case 'selectModel':
      return { type: m.type };
    case 'ask':
      return str('question') ? { type: 'ask', question: m.question as string } : undefined;
    case 'retry':
      return str('turnId') ? { type: 'retry', turnId: m.turnId as string } : undefined;
    case 'runAction':
      return str('turnId') && Number.isInteger(m.index) && (m.index as number) >= 0
        ? { type: 'runAction', turnId: m.turnId as string, index: m.index as number }
        : undefined;
    case 'openCitation': {
      if (!str('turnId') || !Number.isInteger(m.n)) return undefined;
      const open: PanelToHost = { type: 'openCitation', turnId: m.turnId as string, n: m.n as number };
      if (m.ordinal === undefined) return open;
      return Number.isInteger(m.ordinal) && (m.ordinal as number) >= 0
        ? { ...open, ordinal: m.ordinal as number }
        : undefined;
    }
    case 'copy':
      return str('text') ? { type: 'copy', text: m.text as string } : undefined;
    case 'openLink':
      return str('url') ? { type: 'openLink', url: m.url as string } : undefined;
    default:
      return undefined;
  }
}
