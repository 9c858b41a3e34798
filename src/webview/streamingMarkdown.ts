import { ANSWER_START, contextAfterLine, continuesList } from '../shared/citationMarkers';
import {
  addCopyButtons,
  citationNodes,
  decorateCitations,
  markCitations,
  renderMarkdown,
  type CitationLookup,
} from './markdown';

/**
 * Renders a growing markdown answer at most once per animation frame, at a cost that does not grow with the
 * answer: finished blocks (up to a blank line outside a code fence) are rendered once and kept; only the
 * unfinished tail is rendered again. A pulsing cursor follows the text while it streams. Cited numbers are counted
 * across blocks, so each chip knows its marker's ordinal.
 */
export class StreamingMarkdown {
  private text = '';
  private committed = 0;
  /** Cited numbers in the committed blocks: the ordinal of the tail's first. */
  private committedMarkers = 0;
  private frame: number | undefined;
  private readonly blocks: HTMLElement;
  private readonly tail: HTMLElement;
  private readonly cursor: HTMLElement;
  private streaming = true;

  constructor(
    readonly root: HTMLElement,
    private readonly citations: () => CitationLookup,
  ) {
    this.blocks = el('div', 'blocks');
    this.tail = el('div', 'tail');
    this.cursor = el('span', 'cursor');
    this.cursor.setAttribute('aria-hidden', 'true');
    root.replaceChildren(this.blocks, this.tail);
  }

  append(text: string): void {
    this.text += text;
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /**
   * Renders everything now and removes the cursor. An answer with a link reference definition (`[docs]: https://…`)
   * is rendered again whole: the definition applies to the whole answer, also to the blocks rendered before it came.
   */
  finish(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.streaming = false;
    if (LINK_DEFINITION.test(this.text)) this.refresh();
    else this.render();
  }

  /** Re-renders all of it (new sources, a stale source). */
  refresh(): void {
    this.keepingFocus(() => {
      this.committed = 0;
      this.committedMarkers = 0;
      this.blocks.replaceChildren();
      this.renderNow();
    });
  }

  /** Rebuilds the chip of one marker whose citation changed (checked again, or found stale), where it is shown. */
  updateCitation(ordinal: number): void {
    const shown = [...this.root.querySelectorAll<HTMLElement>(`[data-ordinal="${ordinal}"]`)];
    const written = Number(shown[0]?.dataset.written);
    if (!shown[0] || !Number.isInteger(written)) return;
    this.keepingFocus(() => {
      shown[0]?.replaceWith(...citationNodes(ordinal, written, this.citations()));
      for (const e of shown.slice(1)) e.remove();
    });
  }

  /**
   * Runs `change`, which may put new elements in place of the control under the keyboard focus (a chip, a link, a
   * code block's Copy): the focus then goes to the control in its place, counted among the answer's controls, so a
   * keyboard user on a chip of the text still streaming stays on it. Only while the panel has focus: a chip opened in
   * the editor leaves the focus there.
   */
  private keepingFocus(change: () => void): void {
    const controls = () => [...this.root.querySelectorAll<HTMLElement>('button, a[href]')];
    const active = document.activeElement;
    const at = active instanceof HTMLElement && this.root.contains(active) ? controls().indexOf(active) : -1;
    change();
    if (at >= 0 && !active?.isConnected && document.hasFocus()) controls()[at]?.focus({ preventScroll: true });
  }

  private render(): void {
    this.keepingFocus(() => this.renderNow());
  }

  private renderNow(): void {
    const boundary = this.streaming ? commitBoundary(this.text, this.committed) : this.text.length;
    if (boundary > this.committed) {
      const block = el('div', 'block');
      this.committedMarkers += this.renderInto(block, this.text.slice(this.committed, boundary));
      this.blocks.append(block);
      this.committed = boundary;
    }
    this.renderInto(this.tail, this.text.slice(this.committed));
    if (this.streaming) (deepestLast(this.tail) ?? this.tail).append(this.cursor);
  }

  /** Renders `text` (which follows the committed blocks) into `root`; returns how many cited numbers it holds. */
  private renderInto(root: HTMLElement, text: string): number {
    const marked = markCitations(text, this.committedMarkers);
    root.innerHTML = renderMarkdown(marked.text);
    decorateCitations(root, this.citations());
    addCopyButtons(root);
    return marked.markers;
  }
}

/**
 * The end of the last complete block after `from`: a blank line outside code that a line starting at its first column
 * follows (what went before is closed: a list, a fence in a list item, indented code), but for another item of the
 * list before it (a list is one block, numbered and spaced as a whole, up to LIST_BLOCK_LIMIT), read as the marker
 * scanner reads lines (`contextAfterLine`), so each block renders as it would in the whole answer and its scanner
 * starts where the whole answer's would stand.
 */
export function commitBoundary(text: string, from: number): number {
  let boundary = from;
  let context = ANSWER_START;
  let blankEnd: number | undefined;
  // the last blank line before another item of a list: where a list too long to render every frame is split
  let itemBreak: number | undefined;
  let pos = from;
  for (const line of text.slice(from).split('\n')) {
    const end = pos + line.length + 1;
    if (/^[ \t]*\r?$/.test(line)) {
      if (context.fence === undefined) blankEnd = end;
    } else if (/^[ \t]/.test(line)) blankEnd = undefined;
    else if (continuesList(line, context)) {
      itemBreak = blankEnd ?? itemBreak;
      blankEnd = undefined;
    }
    // after a list, a line that has not ended may still turn out to be its next item (`1` + `. b`)
    else if (blankEnd !== undefined && (end <= text.length || context.items.length === 0)) boundary = blankEnd;
    context = contextAfterLine(line, context);
    pos = end;
  }
  if (itemBreak !== undefined && itemBreak > boundary && text.length - boundary > LIST_BLOCK_LIMIT) return itemBreak;
  return boundary;
}

/** A line that may define a link reference (CommonMark: up to three spaces, a bracketed label, a colon). */
const LINK_DEFINITION = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:/m;

/**
 * The most characters of a list the panel renders again each frame while it streams: a longer list is committed
 * between its items (each part then numbered and spaced on its own), so the cost per frame stays bounded.
 */
const LIST_BLOCK_LIMIT = 2_000;

/** Where the cursor goes: the last block's innermost last element, but never inside a chip or its words. */
function deepestLast(root: HTMLElement): HTMLElement | undefined {
  let node = root.lastElementChild as HTMLElement | null;
  while (
    node &&
    node.lastElementChild &&
    !['PRE', 'UL', 'OL', 'TABLE'].includes(node.tagName) &&
    !node.lastElementChild.matches('.cite, .cite-note')
  ) {
    node = node.lastElementChild as HTMLElement;
  }
  return node ?? undefined;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}
