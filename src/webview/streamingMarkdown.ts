import { addCopyButtons, decorateCitations, renderMarkdown } from './markdown';

/**
 * Renders a growing markdown answer at most once per animation frame, at a cost that does not grow with the
 * answer: finished blocks (up to a blank line outside a code fence) are rendered once and kept; only the
 * unfinished tail is rendered again. A pulsing cursor follows the text while it streams.
 */
export class StreamingMarkdown {
  private text = '';
  private committed = 0;
  private frame: number | undefined;
  private readonly blocks: HTMLElement;
  private readonly tail: HTMLElement;
  private readonly cursor: HTMLElement;
  private streaming = true;

  constructor(
    readonly root: HTMLElement,
    private readonly citations: () => { count: number; stale: ReadonlySet<number> },
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

  /** Renders everything now and removes the cursor. */
  finish(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.streaming = false;
    this.render();
  }

  /** Re-renders all of it (new sources, a stale citation). */
  refresh(): void {
    this.committed = 0;
    this.blocks.replaceChildren();
    this.render();
  }

  private render(): void {
    const boundary = this.streaming ? commitBoundary(this.text, this.committed) : this.text.length;
    if (boundary > this.committed) {
      const block = el('div', 'block');
      block.innerHTML = renderMarkdown(this.text.slice(this.committed, boundary));
      this.decorate(block);
      this.blocks.append(block);
      this.committed = boundary;
    }
    this.tail.innerHTML = renderMarkdown(this.text.slice(this.committed));
    this.decorate(this.tail);
    if (this.streaming) (deepestLast(this.tail) ?? this.tail).append(this.cursor);
  }

  private decorate(root: HTMLElement): void {
    const { count, stale } = this.citations();
    decorateCitations(root, count, stale);
    addCopyButtons(root);
  }
}

/** The end of the last complete block after `from`: a blank line that is not inside a code fence. */
export function commitBoundary(text: string, from: number): number {
  let boundary = from;
  let inFence = false;
  let pos = from;
  for (const line of text.slice(from).split('\n')) {
    const end = pos + line.length + 1;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && end <= text.length) boundary = end;
    pos = end;
  }
  return boundary;
}

function deepestLast(root: HTMLElement): HTMLElement | undefined {
  let node = root.lastElementChild as HTMLElement | null;
  while (node && node.lastElementChild && !['PRE', 'UL', 'OL', 'TABLE'].includes(node.tagName)) node = node.lastElementChild as HTMLElement;
  return node ?? undefined;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}
