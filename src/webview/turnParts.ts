// The parts of a panel turn around its answer: the sources it used, its status line (an error, or Stopped) and
// its footer (who answered, Copy, Select Model). Each is rebuilt from the turn's view; clicks are handled by the
// conversation's one click handler in main.ts, by class name.
import { lineSpan } from '../core/passage';
import type { SourceView, TurnView } from '../shared/messages';
import { citedLinesOf, lineRangeText, splitSources, type CitedLines } from '../shared/panelTurns';
import { el } from './streamingMarkdown';

/** A question as the accessible name of its turn and of its buttons: its first words, on one line. */
export function questionLabel(question: string): string {
  const oneLine = question.replace(/\s+/g, ' ').trim();
  return oneLine.length > 100 ? `${oneLine.slice(0, 99)}…` : oneLine;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The sources under a collapsed "Used N sources": the cited ones, then (collapsed again) the passages retrieved
 * but not cited, labelled so. Before the answer is done nothing is known to be cited: all are "retrieved".
 */
export function renderSourceList(root: HTMLElement, view: TurnView): void {
  const { cited, uncited } = splitSources(view);
  const stale = new Set(view.stale ?? []);
  const list = (items: SourceView[], label: string) => {
    const ol = el('ol');
    ol.setAttribute('aria-label', label);
    ol.append(
      ...items.map(s => {
        const li = el('li');
        const b = el('button', `source${stale.has(s.n) ? ' stale' : ''}${cited.includes(s) ? ' cited' : ''}`);
        b.dataset.n = String(s.n);
        b.textContent = `[${s.n}] ${s.path}:${lineSpan(s.startLine, s.endLine)}${s.title ? ` — ${s.title}` : ''}${stale.has(s.n) ? ' (changed since indexed)' : ''}`;
        li.append(b);
        const lines = cited.includes(s) ? citedLinesOf(view, s.n) : [];
        if (lines.length) li.append(citedLinesList(s, lines));
        return li;
      }),
    );
    return ol;
  };
  const section = (summaryText: string, className: string, ...content: HTMLElement[]) => {
    const details = el('details', className);
    const summary = el('summary');
    summary.textContent = summaryText;
    details.append(summary, ...content);
    return details;
  };
  const notCited = () =>
    section(
      `${plural(uncited.length, 'passage', 'passages')} retrieved, not cited`,
      'uncited',
      list(uncited, 'Retrieved, not cited'),
    );
  let shown: HTMLElement[] = [];
  if (cited.length > 0) {
    const used = `Used ${plural(cited.length, 'source', 'sources')}`;
    shown = [section(used, 'used', list(cited, 'Cited sources'), ...(uncited.length ? [notCited()] : []))];
  } else if (uncited.length > 0 && view.status === 'streaming') {
    shown = [
      section(
        `Retrieved ${plural(uncited.length, 'passage', 'passages')}`,
        'uncited',
        list(uncited, 'Retrieved, not cited'),
      ),
    ];
  } else if (uncited.length > 0) {
    shown = [notCited()];
  }
  // a re-render keeps what the person opened
  const wasOpen = [...root.querySelectorAll('details')].map(d => d.open);
  root.replaceChildren(...shown);
  root.querySelectorAll('details').forEach((d, i) => (d.open = wasOpen[i] ?? false));
}

/**
 * The lines of source `n` that the answer's claims cite, each a button that opens them as its first citation's chip
 * does, with what checking said of them in words.
 */
function citedLinesList({ n, path }: SourceView, lines: readonly CitedLines[]): HTMLElement {
  const ul = el('ul', 'cited-ranges');
  ul.setAttribute('aria-label', `Lines cited from source ${n}`);
  ul.append(
    ...lines.map(l => {
      const li = el('li');
      const b = el('button', `cited-lines${l.verdict ? ' flagged' : ''}${l.stale ? ' stale' : ''}`);
      b.dataset.n = String(n);
      b.dataset.ordinal = String(l.ordinal);
      // lines found again in another notebook cell name it
      const range = l.path === path ? lineRangeText(l) : `${lineRangeText(l)} of ${l.path}`;
      const where = l.heading ? `${range} · ${l.heading}` : range;
      b.textContent = [where, l.verdict, l.stale ? 'changed since the answer' : ''].filter(Boolean).join(' — ');
      li.append(b);
      return li;
    }),
  );
  return ul;
}

/**
 * A failed or cut answer's error, with a button per fix (its index in `data-index`) and Retry; a stopped one's
 * "Stopped." as a muted state.
 */
export function renderStatusLine(root: HTMLElement, view: TurnView): void {
  root.replaceChildren();
  if (!view.error) return;
  if (view.status === 'stopped') {
    // a state the person chose, not a failure
    const state = el('span', 'state-message');
    state.textContent = view.error.message;
    root.append(state);
  } else {
    // the icon inside the message, so a long message wraps under it rather than below it
    const icon = el('span', 'error-icon');
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = '⚠ ';
    const message = el('span', 'error-message');
    message.append(
      icon,
      view.status === 'interrupted' ? `Answer interrupted: ${view.error.message}` : view.error.message,
    );
    root.append(message);
  }
  (view.error.actionTitles ?? []).forEach((title, index) => {
    const action = el('button', 'action');
    action.dataset.index = String(index);
    action.textContent = title;
    action.setAttribute('aria-label', `${title}: ${questionLabel(view.question)}`);
    root.append(action);
  });
  const retry = el('button', 'retry');
  retry.textContent = 'Retry';
  retry.setAttribute('aria-label', `Retry: ${questionLabel(view.question)}`);
  root.append(retry);
}

/** Under a finished answer: who wrote it, Copy, and Select Model when there was no model to write it. */
export function renderTurnFooter(root: HTMLElement, view: TurnView): void {
  root.replaceChildren();
  if (view.status === 'streaming') return;
  if (view.model) {
    const model = el('span', 'model');
    model.textContent = `Answered by ${view.model}`;
    root.append(model);
  }
  if (view.searchOnly) {
    const note = el('span', 'model-note');
    note.textContent = 'Answers need a language model:';
    const select = el('button', 'select-model');
    select.textContent = 'Select Model';
    root.append(note, select);
  }
  if (view.answer.trim()) {
    const copy = el('button', 'copy-answer');
    copy.textContent = 'Copy';
    copy.setAttribute('aria-label', `Copy the answer to: ${questionLabel(view.question)}`);
    root.append(copy);
  }
}
