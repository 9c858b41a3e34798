import { citedSpan } from '../core/citations/resolve';
import { fixActions, type ErrorAction } from '../core/errors';
import type { AnswerEvent, AskRequest, Citation, SelectionContext, Turn } from '../core/events';
import { lineSpan, passagePlace } from '../core/passage';
import type { CitationView, HostToPanel, PanelToHost, SourceView, TurnView } from '../shared/messages';
import {
  byOrdinal,
  MAX_SAVED_TURNS,
  reduceTurn,
  upgradeSavedView,
  withoutExcerpts,
  type SavedTurnView,
  type TurnMessage,
} from '../shared/panelTurns';
import { sourcesToShow } from '../shared/sourcesToShow';
import type { Opened } from './openPassage';
import { toCitationView } from './panelCitations';
import { toStoredPassage, type CitedPassage, type StoredPassage } from './storedPassage';

/** Everything the panel's host side needs from VS Code, so it can be tested with spies. */
export interface PanelPorts {
  post(message: HostToPanel): void;
  ask(request: AskRequest): AsyncIterable<AnswerEvent>;
  openPassage(passage: CitedPassage): Promise<Opened>;
  runCommand(command: string, args?: unknown[]): void;
  copy(text: string): void;
  openLink(url: string): void;
  /** Saves the whole conversation: when a turn starts or ends, or a finished turn changes. */
  save(turns: StoredTurn[]): void;
  /**
   * Saves the turn streaming now on its own (`undefined`: none is saved apart), so its text is kept every few
   * seconds at the cost of that turn alone, however long the conversation.
   */
  saveStreaming(turn: StoredTurn | undefined): void;
  /** Runs `fn` after `ms`; token batching and the streaming turn's save use it. */
  schedule(fn: () => void, ms: number): void;
}

/** The lines one marker cites (by its ordinal), as a passage of their own: what its chip opens. */
export interface CitedLines<P extends CitedPassage = CitedPassage> {
  ordinal: number;
  span: P;
}

/** A turn as the host keeps it: what the panel shows, plus what only the host may know. */
export interface SavedTurn {
  view: TurnView;
  passages: CitedPassage[];
  /** Absent in conversations saved before citations were aligned: their chips open whole passages. */
  citedLines?: CitedLines[];
  /** What the error's fix buttons run, in the order of its view's `actionTitles`. */
  actions?: ErrorAction[];
  context?: SelectionContext;
}

/** A turn as workspace state may hold it: a conversation saved before errors offered several fixes kept one. */
export type RestoredTurn = Omit<SavedTurn, 'view'> & { view: SavedTurnView; action?: ErrorAction };

/** A turn as workspace state keeps it: no passage text, no excerpt of it. */
export type StoredTurn = Omit<SavedTurn, 'passages' | 'citedLines'> & {
  passages: StoredPassage[];
  citedLines?: CitedLines<StoredPassage>[];
};

/** *Grounded: Select Model*, offered where answers are search results for want of a model. */
export const SELECT_MODEL_COMMAND = 'grounded.selectModel';

/** Tokens are posted at most this often: the webview renders once per frame anyway. */
export const TOKEN_BATCH_MS = 16;
/** How often a streaming answer's text is saved (that turn alone), so a reloaded window keeps most of it. */
export const SAVE_WHILE_STREAMING_MS = 2_000;

/**
 * The panel's conversation, on the host: runs questions through ask(), posts what the webview renders, keeps
 * the conversation so it survives hiding the view and reloading the window, and resolves citation ids.
 */
export class PanelController {
  private turns: SavedTurn[];
  private running: { turn: SavedTurn; abort: AbortController } | undefined;
  /** Tokens not yet posted, and the turn they belong to. */
  private pending: { turnId: string; text: string } | undefined;
  private nextId = Date.now();
  /** The conversation *New Conversation* cleared, kept until Undo brings it back or a new question is asked. */
  private cleared: SavedTurn[] | undefined;
  /** A save of the streaming turn is scheduled: one runs within SAVE_WHILE_STREAMING_MS of a token not yet saved. */
  private streamingSaveScheduled = false;
  /** The window is closing (`close`): what was saved then is what the next window restores. */
  private closed = false;

  /**
   * `streaming`: the streaming turn as last saved apart (`saveStreaming`); it stands in for the conversation's copy
   * of that turn when that one is still streaming (saved when it started, with less of its answer).
   */
  constructor(
    private readonly ports: PanelPorts,
    saved: readonly RestoredTurn[] = [],
    streaming?: RestoredTurn,
  ) {
    const latest = saved.map(t =>
      streaming && t.view.status === 'streaming' && t.view.id === streaming.view.id ? streaming : t,
    );
    // A turn that was streaming when the window went away cannot resume: keep its text, mark it interrupted.
    // What it cited so far is listed as cited, as for an answer interrupted while the window stayed.
    this.turns = latest.map(upgradeSavedTurn).map(t =>
      t.view.status === 'streaming'
        ? {
            ...t,
            view: reduceTurn(t.view, {
              type: 'error',
              turnId: t.view.id,
              status: 'interrupted',
              message: 'The window was reloaded while this answer was streaming.',
            }),
          }
        : t,
    );
    // state saved with passage text is saved again without it
    const hasText = (t: SavedTurn) =>
      t.passages.some(p => 'text' in p) ||
      t.citedLines?.some(c => 'text' in c.span) ||
      t.view.citations?.some(c => c.excerpt !== undefined);
    if (this.turns.some(hasText)) this.persist();
  }

  get conversation(): readonly SavedTurn[] {
    return this.turns;
  }

  /** Handles a message from the webview; resolves once the work it started (an answer, opening a citation) is done. */
  receive(message: PanelToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // the restore carries the tokens still batched: posted after it too, they would show twice
        this.pending = undefined;
        this.ports.post({ type: 'restore', turns: this.turns.map(t => t.view), undoable: this.cleared !== undefined });
        break;
      case 'ask':
        return this.ask(message.question);
      case 'stop':
        this.stop();
        break;
      case 'retry':
        return this.retry(message.turnId);
      case 'openCitation':
        return this.openCitation(message.turnId, message.n, message.ordinal);
      case 'runAction': {
        // an index the turn has no button for runs nothing
        const action = this.find(message.turnId)?.actions?.[message.index];
        if (action) this.ports.runCommand(action.command, action.arguments);
        break;
      }
      case 'copy':
        this.ports.copy(message.text);
        break;
      case 'openLink':
        // the links the webview's sanitizer lets through: web pages and e-mail addresses, never `command:` or `file:`
        if (/^(?:https?:\/\/|mailto:)/i.test(message.url)) this.ports.openLink(message.url);
        break;
      case 'undoClear':
        this.undoClear();
        break;
      case 'selectModel':
        this.ports.runCommand(SELECT_MODEL_COMMAND);
        break;
      default: {
        const unknown: never = message;
        throw new Error(`unhandled panel message ${JSON.stringify(unknown)}`);
      }
    }
    return Promise.resolve();
  }

  /** Asks a new question; an empty one does nothing. A question still streaming is stopped first. */
  async ask(question: string, context?: SelectionContext): Promise<void> {
    if (!question.trim()) return;
    const about = context && `${context.path}:${lineSpan(context.startLine, context.endLine)}`;
    const view: TurnView = {
      id: String(this.nextId++),
      question,
      about,
      answer: '',
      sources: [],
      cited: [],
      citations: [],
      status: 'streaming',
    };
    const turn: SavedTurn = { view, passages: [], citedLines: [], context };
    // a new question after New Conversation starts the new one: the cleared one is no longer offered back
    this.cleared = undefined;
    this.turns.push(turn);
    await this.run(turn);
  }

  stop(): void {
    this.running?.abort.abort();
  }

  /**
   * The window is closing: the answer streaming now is saved as far as it has come, then stopped. Nothing is saved
   * after: the next window restores it as cut by the reload, not as stopped by the person (which its stop would save).
   */
  close(): void {
    this.saveStreaming();
    this.closed = true;
    this.stop();
  }

  /** Empties the conversation; the panel offers Undo, which brings it back whole. */
  newConversation(): void {
    this.stop();
    if (this.turns.length > 0) this.cleared = this.turns;
    this.turns = [];
    this.ports.post({ type: 'cleared', undoable: this.cleared !== undefined });
    this.persist();
  }

  /** Brings back the conversation New Conversation cleared, before any turn since. */
  undoClear(): void {
    const cleared = this.cleared;
    if (!cleared) return;
    this.cleared = undefined;
    this.turns = [...cleared, ...this.turns];
    this.pending = undefined; // in the restore already
    this.persist();
    this.ports.post({ type: 'restore', turns: this.turns.map(t => t.view), undoable: false });
  }

  /**
   * Asks a turn's question again, in place: a broken answer is replaced by the whole one. A Retry that writes
   * nothing (it fails, or is stopped, before its first token) gives the answer it was to replace back.
   */
  async retry(turnId: string): Promise<void> {
    const turn = this.find(turnId);
    if (!turn || turn === this.running?.turn) return;
    const before = { view: turn.view, passages: turn.passages, citedLines: turn.citedLines };
    turn.view = {
      ...turn.view,
      answer: '',
      sources: [],
      cited: [],
      citations: [],
      status: 'streaming',
      step: undefined,
      error: undefined,
      stale: undefined,
      model: undefined,
      searchOnly: undefined,
    };
    turn.passages = [];
    turn.citedLines = [];
    turn.actions = undefined;
    await this.run(turn);
    if (!turn.view.answer && before.view.answer && turn.view.error) this.giveBack(turn, before, turn.view.error);
  }

  /**
   * Puts an answer back into its turn, with the sources and citations its `[n]` point at, under `error` (why the
   * Retry that was to replace it wrote nothing): posted as the messages that built it, so the webview's copy of the
   * turn is reduced to the same view as the host's. Kept, it is an answer cut short: interrupted, or stopped.
   */
  private giveBack(
    turn: SavedTurn,
    earlier: Pick<SavedTurn, 'view' | 'passages' | 'citedLines'>,
    error: NonNullable<TurnView['error']>,
  ): void {
    const turnId = turn.view.id;
    turn.passages = earlier.passages;
    turn.citedLines = earlier.citedLines;
    this.show(turn, { type: 'sources', turnId, sources: earlier.view.sources });
    for (const citation of earlier.view.citations ?? []) this.show(turn, { type: 'citation', turnId, citation });
    for (const n of earlier.view.stale ?? []) this.show(turn, { type: 'citationStale', turnId, n });
    this.show(turn, { type: 'tokens', turnId, text: earlier.view.answer });
    const status = turn.view.status === 'stopped' ? 'stopped' : 'interrupted';
    this.show(turn, { type: 'error', turnId, status, ...error });
    this.persist();
  }

  private async run(turn: SavedTurn): Promise<void> {
    this.stop();
    const abort = new AbortController();
    this.running = { turn, abort };
    const { view } = turn;
    this.ports.post({ type: 'turnStarted', turn: { ...view } });
    // saved at once, and while it streams: a window reloaded mid-answer finds the question and what had come
    this.persist();
    try {
      const request = {
        question: view.question,
        context: turn.context,
        history: this.historyBefore(turn),
        signal: abort.signal,
      };
      for await (const event of this.ports.ask(request)) {
        this.apply(turn, event);
      }
    } finally {
      if (this.running?.turn === turn) this.running = undefined;
      this.persist();
    }
  }

  /** Maps an event onto the messages the panel renders, applying each to the host's copy of the turn. */
  private apply(turn: SavedTurn, event: AnswerEvent): void {
    const turnId = turn.view.id;
    switch (event.type) {
      case 'step':
        this.flushTokens();
        this.show(turn, { type: 'step', turnId, detail: event.detail });
        break;
      case 'sources':
        turn.passages = event.sources;
        this.show(turn, { type: 'sources', turnId, sources: event.sources.map(toSourceView) });
        break;
      case 'token':
        // kept at once, posted in batches, saved now and then
        turn.view = reduceTurn(turn.view, { type: 'tokens', turnId, text: event.text });
        this.scheduleStreamingSave();
        if (this.pending && this.pending.turnId !== turnId) this.flushTokens();
        if (this.pending) this.pending.text += event.text;
        else {
          this.pending = { turnId, text: event.text };
          this.ports.schedule(() => this.flushTokens(), TOKEN_BATCH_MS);
        }
        break;
      case 'citation':
        // posted at once, ahead of the batched tokens: the chip of its marker finds it when the marker renders
        this.keepCitation(turn, event.citation);
        break;
      case 'done':
        this.flushTokens();
        // the events carried every citation; one they did not is posted now, so no chip opens less than it could
        for (const c of event.citations) {
          if (!turn.citedLines?.some(l => l.ordinal === c.ordinal)) this.keepCitation(turn, c);
        }
        // the cited sources are listed under "Used N sources", the others apart as retrieved but not cited
        const shown = sourcesToShow(event, turn.passages);
        const done: TurnMessage = { type: 'done', turnId, cited: shown.kind === 'cited' ? shown.numbers : [] };
        if (event.model) done.model = event.model;
        // the panel asks for answers: search results mean no language model was available
        if (event.mode === 'search') done.searchOnly = true;
        this.show(turn, done);
        break;
      case 'error': {
        this.flushTokens();
        const status = event.error.kind === 'cancelled' ? 'stopped' : event.partial ? 'interrupted' : 'failed';
        const message = event.error.kind === 'cancelled' ? 'Stopped.' : event.error.message;
        // the same buttons chat and notifications offer
        turn.actions = fixActions(event.error);
        const actionTitles = turn.actions.map(a => a.title);
        this.show(turn, { type: 'error', turnId, status, message, ...(actionTitles.length ? { actionTitles } : {}) });
        break;
      }
      default: {
        const unknown: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Applies a message to the host's copy of the turn, as the webview applies it to its own, and posts it. */
  private show(turn: SavedTurn, message: TurnMessage): void {
    turn.view = reduceTurn(turn.view, message);
    this.ports.post(message);
  }

  private flushTokens(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.ports.post({ type: 'tokens', turnId: pending.turnId, text: pending.text });
  }

  /** Keeps a citation (replacing the one with its ordinal) and posts its view; its lines are kept for opening. */
  private keepCitation(turn: SavedTurn, c: Citation): void {
    turn.citedLines = byOrdinal(turn.citedLines, { ordinal: c.ordinal, span: citedSpan(c) });
    this.show(turn, { type: 'citation', turnId: turn.view.id, citation: toCitationView(c) });
  }

  /**
   * Opens what a chip or a source points at: a chip's aligned lines when its citation is known, else passage `n`. Lines
   * that cannot be found again make the chip, and every chip of the same lines (or the source), stale; found again (the
   * file was changed back, an unsaved edit undone), they are no longer marked so. Lines found elsewhere (the file
   * changed) are the chip's lines from then on, and those of every chip of the same lines (their hovers, the cited
   * lines under the sources and Copy name them, under the heading the file gives them now when it was read again), or
   * the source's (its button names them, titled with the heading trail read again). A file that could not be opened
   * (binary, too large, not readable) says nothing of whether the lines are there: the marks stay as they were.
   */
  private async openCitation(turnId: string, n: number, ordinal?: number): Promise<void> {
    const turn = this.find(turnId);
    if (!turn) return;
    const lines = ordinal === undefined ? undefined : turn.citedLines?.find(c => c.ordinal === ordinal);
    const target = lines?.span ?? turn.passages[n - 1];
    if (!target) return;
    const opened = await this.ports.openPassage(target);
    if (opened.how === 'unopened') return;
    const view = lines && turn.view.citations?.find(c => c.ordinal === lines.ordinal);
    const changed = lines && view ? this.markCitations(turn, lines, view, opened) : this.markSource(turn, n, opened);
    if (changed) this.persist();
  }

  /**
   * Marks every citation of the same lines of the same source as `lines` (its chip and the range the source's list
   * shows for them) as opening found them: again (maybe elsewhere), or not. Whether any changed.
   */
  private markCitations(turn: SavedTurn, lines: CitedLines, view: CitationView, opened: Opened): boolean {
    const stale = opened.how === 'stale';
    const group = (turn.view.citations ?? []).filter(
      c => c.n === view.n && c.path === view.path && c.startLine === view.startLine && c.endLine === view.endLine,
    );
    let changed = false;
    for (const c of group) {
      const citation: CitationView = { ...c, stale: true };
      if (!stale) delete citation.stale;
      if (opened.how === 'moved') {
        const own = turn.citedLines?.find(x => x.ordinal === c.ordinal) ?? lines;
        const span = movedSpan(own.span, opened);
        turn.citedLines = byOrdinal(turn.citedLines, { ordinal: c.ordinal, span });
        citation.path = passagePlace(span);
        citation.startLine = span.startLine;
        citation.endLine = span.endLine;
        if (opened.under) {
          if (opened.under.heading === undefined) delete citation.heading;
          else citation.heading = opened.under.heading;
        }
      }
      const same =
        stale === !!c.stale &&
        citation.path === c.path &&
        citation.startLine === c.startLine &&
        citation.endLine === c.endLine &&
        citation.heading === c.heading;
      if (same) continue;
      this.show(turn, { type: 'citation', turnId: turn.view.id, citation });
      changed = true;
    }
    return changed;
  }

  /**
   * Marks source `n` as opening found its passage: stale or not, and at the lines it moved to, under the heading trail
   * the file gives them now when it was read again. Whether it changed.
   */
  private markSource(turn: SavedTurn, n: number, opened: Opened): boolean {
    const turnId = turn.view.id;
    const stale = opened.how === 'stale';
    let changed = false;
    if (stale !== !!turn.view.stale?.includes(n)) {
      this.show(
        turn,
        stale ? { type: 'citationStale', turnId, n } : { type: 'citationStale', turnId, n, stale: false },
      );
      changed = true;
    }
    const passage = turn.passages[n - 1];
    if (opened.how !== 'moved' || !passage) return changed;
    const moved = movedSpan(passage, opened);
    const same =
      moved.startLine === passage.startLine &&
      moved.endLine === passage.endLine &&
      moved.cell === passage.cell &&
      moved.title === passage.title;
    if (same) return changed;
    turn.passages = turn.passages.map((p, i) => (i === n - 1 ? moved : p));
    const sources = turn.view.sources.map(s => (s.n === n ? toSourceView(moved, n - 1) : s));
    this.show(turn, { type: 'sources', turnId, sources });
    return true;
  }

  /** Finished turns before `turn`, for follow-up questions. */
  private historyBefore(turn: SavedTurn): Turn[] {
    const before = this.turns.slice(0, this.turns.indexOf(turn)).filter(t => t.view.status === 'done');
    return before.flatMap(t => [
      { role: 'user' as const, text: t.view.question },
      { role: 'assistant' as const, text: t.view.answer },
    ]);
  }

  private find(turnId: string): SavedTurn | undefined {
    return this.turns.find(t => t.view.id === turnId);
  }

  /** Saves the whole conversation; the streaming turn is in it as it is now, so its copy saved apart is dropped. */
  private persist(): void {
    if (this.closed) return;
    this.turns = this.turns.slice(-MAX_SAVED_TURNS);
    this.ports.save(this.turns.map(toStoredTurn));
    this.ports.saveStreaming(undefined);
  }

  private scheduleStreamingSave(): void {
    if (this.streamingSaveScheduled) return;
    this.streamingSaveScheduled = true;
    this.ports.schedule(() => {
      this.streamingSaveScheduled = false;
      this.saveStreaming();
    }, SAVE_WHILE_STREAMING_MS);
  }

  /**
   * Saves the turn streaming now, alone, as far as it has come: what is left of it when the window closes before it
   * ends. A turn no longer in the conversation (cleared) is not saved.
   */
  private saveStreaming(): void {
    if (this.closed) return;
    const turn = this.running?.turn;
    if (turn && this.turns.includes(turn)) this.ports.saveStreaming(toStoredTurn(turn));
  }
}

/** A restored turn as this version keeps it: a lone saved `action` becomes the one of `actions`. */
function upgradeSavedTurn({ action, ...saved }: RestoredTurn): SavedTurn {
  const turn: SavedTurn = { ...saved, view: upgradeSavedView(saved.view) };
  if (action && !turn.actions) turn.actions = [action];
  return turn;
}

function toStoredTurn(t: SavedTurn): StoredTurn {
  const { citedLines, ...rest } = t;
  const stored: StoredTurn = { ...rest, view: withoutExcerpts(t.view), passages: t.passages.map(toStoredPassage) };
  if (citedLines) stored.citedLines = citedLines.map(c => ({ ordinal: c.ordinal, span: toStoredPassage(c.span) }));
  return stored;
}

/**
 * A cited span or passage at the lines (and in the cell) opening found it at when it moved, titled with the heading
 * trail of those lines when the file was read again (untitled: they are under no heading now).
 */
function movedSpan<P extends CitedPassage>(span: P, opened: Extract<Opened, { how: 'moved' }>): P {
  const moved = { ...span, ...opened.lines };
  if (opened.cell !== undefined) moved.cell = opened.cell;
  if (opened.under?.title !== undefined) moved.title = opened.under.title;
  else if (opened.under) delete moved.title;
  return moved;
}

/** A source as the panel lists it; a notebook cell's lines are named with the cell (`nb.ipynb#cell=3`). */
function toSourceView(p: CitedPassage, i: number): SourceView {
  return { n: i + 1, path: passagePlace(p), startLine: p.startLine, endLine: p.endLine, title: p.title };
}
