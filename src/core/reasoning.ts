const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

/**
 * Where a reply's answer starts, as its text arrives: at its first visible character, after a reasoning model's
 * `<think>…</think>` block when the reply opens with one (DeepSeek-R1, QwQ and Qwen3 served by Ollama, vLLM or LM
 * Studio write their reasoning there). Reasoning is not the answer: it is not shown, and a `[n]` in it cites nothing.
 * A block the reply never closes is all reasoning (a reply cut short). Only a block that opens the reply is
 * reasoning: a `<think>` later in an answer is its text.
 */
export class AnswerStart {
  private state: 'start' | 'reasoning' | 'after-reasoning' | 'answer' = 'start';
  private held = '';
  private opened = false;
  /** With the block opened by the template: all the reply so far, the answer if no `</think>` comes. */
  private whole: string | undefined;
  /** Where in `whole` the closing tag may yet start: the tags before it were in code, or there were none. */
  private searched = 0;

  /**
   * `openedByTemplate`: the model's server opens the block in the prompt (its chat template ends with `<think>`), so
   * the reply starts inside it and closes it with `</think>` alone: read as reasoning until that tag. A reply that
   * never writes it was all answer (the model did not reason this time), given whole at the end.
   */
  constructor(openedByTemplate = false) {
    if (!openedByTemplate) return;
    this.state = 'reasoning';
    this.opened = true;
    this.whole = '';
  }

  /** Whether the reply opened with a reasoning block (so far). */
  get reasoning(): boolean {
    return this.opened;
  }

  /** The answer text this piece brings: '' while the reply is still whitespace or reasoning. */
  push(piece: string): string {
    if (this.state === 'answer') return piece;
    if (this.whole !== undefined) return this.pushOpened(this.whole + piece);
    this.held += piece;
    if (this.state === 'start') {
      const s = this.held.trimStart();
      // whitespace, or what may yet become `<think>`: held until the next piece says
      if (THINK_OPEN.startsWith(s.toLowerCase())) {
        this.held = s;
        return '';
      }
      if (!s.toLowerCase().startsWith(THINK_OPEN)) return this.answer(s);
      this.state = 'reasoning';
      this.opened = true;
      this.held = s.slice(THINK_OPEN.length);
    }
    if (this.state === 'reasoning') {
      const end = this.held.toLowerCase().indexOf(THINK_CLOSE);
      if (end < 0) {
        // only what may be the start of `</think>` is kept
        this.held = this.held.slice(-(THINK_CLOSE.length - 1));
        return '';
      }
      this.held = this.held.slice(end + THINK_CLOSE.length);
      this.state = 'after-reasoning';
    }
    const s = this.held.trimStart();
    this.held = '';
    return s ? this.answer(s) : '';
  }

  /**
   * The reply so far, `whole`, when its template opened the block: reasoning until its first `</think>` outside code,
   * as a whole reply is read (readReply), so an answer that did not reason and quotes the tag in code (a
   * snippet that splits on it) is not cut there.
   */
  private pushOpened(whole: string): string {
    this.whole = whole;
    for (;;) {
      const found = whole.slice(this.searched).toLowerCase().indexOf(THINK_CLOSE);
      if (found < 0) {
        // only what may be the start of `</think>` is searched again
        this.searched = Math.max(this.searched, whole.length - (THINK_CLOSE.length - 1));
        return '';
      }
      const close = this.searched + found;
      this.searched = close + 1;
      if (inCode(whole, close)) continue;
      this.whole = undefined;
      this.state = 'after-reasoning';
      this.held = '';
      const s = whole.slice(close + THINK_CLOSE.length).trimStart();
      return s ? this.answer(s) : '';
    }
  }

  /**
   * What is held at the reply's end: a beginning that never became `<think>` is answer text, and so is a reply that
   * never closed the block its template opened; reasoning the reply opened itself is not.
   */
  flush(): string {
    const rest = this.state === 'start' ? this.held : this.state === 'reasoning' ? (this.whole?.trimStart() ?? '') : '';
    this.held = '';
    this.whole = undefined;
    return rest;
  }

  private answer(text: string): string {
    this.state = 'answer';
    this.held = '';
    return text;
  }
}

/**
 * Whether a whole reply closes a reasoning block it never opened: its server's chat template opens the block in the
 * prompt, so this model's streamed answers start with their reasoning (see AnswerStart's `openedByTemplate`).
 */
export function reasoningOpenedByTemplate(reply: string): boolean {
  return readReply(reply).openedByTemplate;
}

/**
 * A whole reply read once for its reasoning: its answer, as AnswerStart reads it (without the `<think>…</think>` block
 * that opens it, all of it when the block is never closed, and without leading whitespace), and whether its template
 * opened its reasoning. A reply that closes a block it never opened is read past that `</think>` too: a server whose
 * chat template opens the block in the prompt (DeepSeek-R1's adds `<think>` after the question) sends the reasoning
 * and its closing tag alone. A stream cannot be read so until the model is known to do it (its reasoning comes before
 * the tag that says what it was): see reasoningOpenedByTemplate. The answer is not to be read for reasoning again: a
 * `</think>` left in it is its text, which a second reading would cut before.
 */
export function readReply(reply: string): { answer: string; openedByTemplate: boolean } {
  const start = new AnswerStart();
  const answer = start.push(reply) + start.flush();
  const close = start.reasoning ? -1 : unopenedClose(answer);
  return close < 0
    ? { answer, openedByTemplate: false }
    : { answer: answer.slice(close + THINK_CLOSE.length).trimStart(), openedByTemplate: true };
}

/**
 * Where the reply closes a block it never opened (its first `</think>` outside code, with no `<think>` before it), or
 * -1 when it does not.
 */
function unopenedClose(answer: string): number {
  const lower = answer.toLowerCase();
  let close = lower.indexOf(THINK_CLOSE);
  while (close >= 0 && inCode(answer, close)) close = lower.indexOf(THINK_CLOSE, close + 1);
  return close < 0 || lower.lastIndexOf(THINK_OPEN, close) >= 0 ? -1 : close;
}

/** A line that opens or closes a fenced code block. */
const FENCE_LINE = /^ {0,3}(?:`{3,}|~{3,})/gm;

/**
 * Whether `at` lies in code: inside a fenced block (an odd number of fence lines before it) or a code span (an odd
 * number of backticks before it on its line). An answer that quotes the tag (`</think>`, a snippet that splits on it)
 * quotes it there, and its text before the tag is answer, not reasoning.
 */
function inCode(text: string, at: number): boolean {
  const before = text.slice(0, at);
  if ((before.match(FENCE_LINE) ?? []).length % 2 === 1) return true;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return (line.match(/`/g) ?? []).length % 2 === 1;
}
