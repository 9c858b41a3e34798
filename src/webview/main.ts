// The side panel's browser code: renders the conversation the host posts, and sends back only ids and text.
import { questionTooLong } from '../core/options';
import type { HostToPanel, PanelToHost, TurnView } from '../shared/messages';
import { copyText, MAX_SAVED_TURNS, reduceTurn, type TurnMessage } from '../shared/panelTurns';
import { followAfterScroll, offerJump, type ScrollPosition } from './follow';
import type { CitationLookup } from './markdown';
import { el, StreamingMarkdown } from './streamingMarkdown';
import { questionLabel, renderSourceList, renderStatusLine, renderTurnFooter } from './turnParts';

/**
 * The page's own saved state is the question being written, nothing else: it is saved on every keystroke, so its cost
 * stays that of the question. The conversation comes from the host's `restore`, which answers every `ready`.
 */
interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): { draft?: string } | undefined;
  setState(state: { draft: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const conversation = document.getElementById('conversation') as HTMLElement;
const empty = document.getElementById('empty') as HTMLElement;
const form = document.getElementById('ask') as HTMLFormElement;
const question = document.getElementById('question') as HTMLTextAreaElement;
const stopButton = document.getElementById('stop') as HTMLButtonElement;
const jumpButton = document.getElementById('jump') as HTMLButtonElement;
const clearedBar = document.getElementById('cleared') as HTMLElement;
const undoButton = document.getElementById('undo') as HTMLButtonElement;
const tooLong = document.getElementById('too-long') as HTMLElement;

interface TurnUi {
  view: TurnView;
  root: HTMLElement;
  step: HTMLElement;
  answer: StreamingMarkdown;
  status: HTMLElement;
  footer: HTMLElement;
  sources: HTMLElement;
}
const turns = new Map<string, TurnUi>();

function renderTurn(view: TurnView): TurnUi {
  const root = el('article', 'turn');
  root.dataset.id = view.id;
  root.setAttribute('aria-label', `Question: ${questionLabel(view.question)}`);
  const q = el('div', 'question');
  q.textContent = view.question;
  if (view.about) {
    const about = el('div', 'about');
    about.textContent = `about ${view.about}`;
    q.append(about);
  }
  const step = el('div', 'step');
  step.setAttribute('role', 'status');
  const answerRoot = el('div', 'answer markdown');
  answerRoot.setAttribute('aria-live', 'polite');
  answerRoot.setAttribute('aria-busy', String(view.status === 'streaming'));
  const status = el('div', 'turn-status');
  const footer = el('div', 'turn-footer');
  const sources = el('div', 'sources');
  root.append(q, step, answerRoot, status, footer, sources);
  const ui: TurnUi = {
    view,
    root,
    step,
    status,
    footer,
    sources,
    answer: new StreamingMarkdown(answerRoot, () => lookupOf(ui.view)),
  };
  const existing = turns.get(view.id);
  if (existing) existing.root.replaceWith(root);
  else conversation.append(root);
  turns.set(view.id, ui);
  if (view.answer) ui.answer.append(view.answer);
  if (view.status !== 'streaming') ui.answer.finish();
  renderStep(ui);
  renderSources(ui);
  renderStatus(ui);
  renderFooter(ui);
  return ui;
}

/** Keeps the turns the host keeps (it drops the oldest past MAX_SAVED_TURNS): their chips and Retry would do nothing. */
function dropOldestTurns(): void {
  for (const [id, ui] of turns) {
    if (turns.size <= MAX_SAVED_TURNS) break;
    ui.root.remove();
    turns.delete(id);
  }
}

function lookupOf(view: TurnView): CitationLookup {
  const citations = new Map((view.citations ?? []).map(c => [c.ordinal, c]));
  return {
    sourceCount: view.sources.length,
    staleSources: new Set(view.stale ?? []),
    citation: ordinal => citations.get(ordinal),
  };
}

function renderStep(ui: TurnUi): void {
  ui.step.textContent = ui.view.status === 'streaming' ? (ui.view.step ?? 'Starting…') : '';
  ui.step.hidden = ui.view.status !== 'streaming';
}

function renderStatus(ui: TurnUi): void {
  const { view } = ui;
  ui.root.dataset.status = view.status;
  ui.answer.root.setAttribute('aria-busy', String(view.status === 'streaming'));
  renderStatusLine(ui.status, view);
}

function renderSources(ui: TurnUi): void {
  renderSourceList(ui.sources, ui.view);
}

function renderFooter(ui: TurnUi): void {
  renderTurnFooter(ui.footer, ui.view);
}

/** Saves the question being written, at once: the page, and any timer with it, is thrown away when the view hides. */
function saveDraft(): void {
  vscode.setState({ draft: question.value });
}

const streaming = () => [...turns.values()].some(t => t.view.status === 'streaming');

function updateChrome(): void {
  stopButton.hidden = !streaming();
  empty.hidden = turns.size > 0;
}

// Following the stream: the page scrolls (the question box is sticky at its bottom).
const scroller = document.scrollingElement ?? document.documentElement;
let following = true;
let lastTop = 0;
const scrollPosition = (): ScrollPosition => ({
  top: scroller.scrollTop,
  viewport: scroller.clientHeight,
  height: scroller.scrollHeight,
});

function scrollToEnd(): void {
  scroller.scrollTop = scroller.scrollHeight;
  lastTop = scroller.scrollTop;
}

function updateJump(): void {
  jumpButton.hidden = !offerJump(following, scrollPosition());
}

/**
 * After the conversation or the question box changed size: keep the newest text in view, if following. The
 * conversation is followed only while an answer streams, so opening an earlier turn's sources moves nothing.
 */
function keepUp(onlyWhileStreaming: boolean): void {
  if (following && (!onlyWhileStreaming || streaming())) scrollToEnd();
  updateJump();
}

function follow(): void {
  following = true;
  scrollToEnd();
  updateJump();
}

function onMessage(m: HostToPanel): void {
  switch (m.type) {
    case 'restore':
      conversation.replaceChildren();
      turns.clear();
      m.turns.forEach(renderTurn);
      clearedBar.hidden = !m.undoable;
      follow();
      break;
    case 'turnStarted': {
      const retried = turns.get(m.turn.id);
      const ui = renderTurn(m.turn);
      clearedBar.hidden = true;
      if (retried) {
        // a turn asked again in place: it is the one to read, where it stands
        following = false;
        ui.root.scrollIntoView({ block: 'nearest' });
        updateJump();
      } else {
        dropOldestTurns();
        // asking is reading the newest answer
        follow();
      }
      break;
    }
    case 'cleared':
      conversation.replaceChildren();
      turns.clear();
      clearedBar.hidden = !m.undoable;
      break;
    case 'focusInput':
      question.focus();
      return;
    default: {
      const changed = turns.get(m.turnId);
      if (changed) {
        changed.view = reduceTurn(changed.view, m);
        renderChange(changed, m);
        // the end of an answer (its status line, footer and sources) comes into view with it
        if ((m.type === 'done' || m.type === 'error') && following) scrollToEnd();
      }
    }
  }
  updateChrome();
}

/** Renders what `m` changed in a turn whose view already has it. */
function renderChange(ui: TurnUi, m: TurnMessage): void {
  switch (m.type) {
    case 'step':
      renderStep(ui);
      break;
    case 'sources':
      renderSources(ui);
      break;
    case 'tokens':
      ui.answer.append(m.text);
      break;
    case 'done':
      ui.answer.finish();
      renderStep(ui);
      renderSources(ui);
      renderStatus(ui);
      renderFooter(ui);
      break;
    case 'error':
      ui.answer.finish();
      renderStep(ui);
      // what the partial answer cited so far is listed as used, no longer as retrieved while it streams
      renderSources(ui);
      renderStatus(ui);
      renderFooter(ui);
      break;
    case 'citation':
      ui.answer.updateCitation(m.citation.ordinal);
      // the model check's verdicts come after the answer: the cited lines under its sources say them too
      if (ui.view.status !== 'streaming') renderSources(ui);
      break;
    case 'citationStale':
      ui.answer.refresh();
      renderSources(ui);
      break;
    default: {
      const unknown: never = m;
      console.warn('unknown message', unknown);
    }
  }
}

/**
 * Handles a message from the host; when what it changed took away the control that had the keyboard (Stop hidden
 * once the answer ends, Retry or Undo replaced by what they brought), the cursor goes to the question box, not to
 * the page where the next Tab would start over from the top. Only while the panel has focus: a citation opened in
 * the editor keeps the editor's.
 */
function receive(m: HostToPanel): void {
  const focused = document.activeElement;
  onMessage(m);
  // still on the control that went away, or already fallen to the page: not moved on to the control put in its place
  const now = document.activeElement;
  const lost =
    focused instanceof HTMLElement &&
    focused !== document.body &&
    focused !== question &&
    (now === focused || now === document.body || now === null) &&
    (!focused.isConnected || focused.getClientRects().length === 0);
  if (lost && document.hasFocus()) question.focus({ preventScroll: true });
}

window.addEventListener('message', (e: MessageEvent<HostToPanel>) => receive(e.data));

/** Says "Copied" on a copy button for a moment, then its own label again. */
function showCopied(button: HTMLElement): void {
  const label = button.dataset.label ?? button.textContent ?? 'Copy';
  button.dataset.label = label;
  button.textContent = 'Copied';
  setTimeout(() => (button.textContent = label), 2000);
}

// One click handler for the whole conversation: citations, sources, retry, actions, copy, links.
conversation.addEventListener('click', e => {
  const target = e.target as HTMLElement;
  const turnId = target.closest<HTMLElement>('.turn')?.dataset.id;
  const link = target.closest('a');
  if (link) e.preventDefault(); // never navigate the webview; the host opens http(s) and mailto links only
  // a chip (in a link's text too: it opens its citation, not the link), or a cited range in the sources list
  const chip = target.closest<HTMLElement>('.cite, .cited-lines');
  if (link && !chip) {
    if (link.href) vscode.postMessage({ type: 'openLink', url: link.href });
    return;
  }
  if (!turnId) return;
  const source = target.closest<HTMLElement>('.source');
  const action = target.closest<HTMLElement>('.action');
  if (chip?.dataset.n)
    vscode.postMessage({
      type: 'openCitation',
      turnId,
      n: Number(chip.dataset.n),
      ordinal: Number(chip.dataset.ordinal),
    });
  else if (source?.dataset.n) vscode.postMessage({ type: 'openCitation', turnId, n: Number(source.dataset.n) });
  else if (target.closest('.retry')) vscode.postMessage({ type: 'retry', turnId });
  else if (action?.dataset.index)
    vscode.postMessage({ type: 'runAction', turnId, index: Number(action.dataset.index) });
  else if (target.closest('.select-model')) vscode.postMessage({ type: 'selectModel' });
  else if (target.closest('.copy-answer')) {
    // copied by the host: the webview's clipboard needs a focused document, the host's does not
    const view = turns.get(turnId)?.view;
    vscode.postMessage({ type: 'copy', text: view ? copyText(view) : '' });
    showCopied(target.closest<HTMLElement>('.copy-answer') as HTMLElement);
  } else if (target.closest('.copy')) {
    const code = target.closest('pre')?.querySelector('code');
    vscode.postMessage({ type: 'copy', text: code?.textContent ?? '' });
    showCopied(target.closest<HTMLElement>('.copy') as HTMLElement);
  }
});

window.addEventListener(
  'scroll',
  () => {
    const now = scrollPosition();
    following = followAfterScroll(following, lastTop, now);
    lastTop = now.top;
    updateJump();
  },
  { passive: true },
);
new ResizeObserver(() => keepUp(true)).observe(conversation);
new ResizeObserver(() => keepUp(false)).observe(form);
// Jump hides once the newest text is in view: the keyboard on it goes on from the question box, not the page's top
jumpButton.addEventListener('click', () => {
  const hadFocus = document.activeElement === jumpButton;
  follow();
  if (hadFocus && jumpButton.hidden) question.focus({ preventScroll: true });
});
undoButton.addEventListener('click', () => vscode.postMessage({ type: 'undoClear' }));

/** The question box grows with its text, up to the max-height panel.css gives it (then it scrolls). */
function fitQuestion(): void {
  question.style.height = 'auto';
  const borders = question.offsetHeight - question.clientHeight;
  question.style.height = `${question.scrollHeight + borders}px`;
}
question.addEventListener('input', () => {
  fitQuestion();
  saveDraft();
  if (!tooLong.hidden && !questionTooLong(question.value.trim())) tooLong.hidden = true;
});
// the view got focus (shown, or *Grounded: Ask…* answered here): the cursor goes to the question box
window.addEventListener('focus', () => {
  if (!document.activeElement || document.activeElement === document.body) question.focus();
});

form.addEventListener('submit', e => {
  e.preventDefault();
  const text = question.value.trim();
  if (!text) return;
  // kept in the box to shorten: sent, it would only come back as an error
  const said = questionTooLong(text);
  if (said) {
    tooLong.textContent = said;
    tooLong.hidden = false;
    return;
  }
  tooLong.hidden = true;
  vscode.postMessage({ type: 'ask', question: text });
  question.value = '';
  fitQuestion();
  saveDraft();
});
question.addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
// Esc stops the answer wherever the focus is in the panel (Stop, a chip, the answer), not only in the question box
document.addEventListener('keydown', e => {
  if (e.key === 'Escape' && !e.isComposing) vscode.postMessage({ type: 'stop' });
});
stopButton.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));

// The question being written comes back at once; the conversation follows `ready`, with the host's `restore` (until
// then the page says nothing: not that the conversation is empty). What was typed before this script ran stays:
// only an empty box takes the saved draft.
const draft = vscode.getState()?.draft;
if (!question.value && draft) question.value = draft;
fitQuestion();
// a view opened with focus (its first Grounded: Ask…) starts with the cursor in the box
if (document.hasFocus()) question.focus();
vscode.postMessage({ type: 'ready' });
