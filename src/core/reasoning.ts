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

  /** Whether the reply opened with a reasoning block (so far). */
  get reasoning(): boolean {
    return this.opened;
  }

  /** The answer text this piece brings: '' while the reply is still whitespace or reasoning. */
  push(piece: string): string {
    if (this.state === 'answer') return piece;
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

  /** What is held at the reply's end: a beginning that never became `<think>` is answer text; reasoning is not. */
  flush(): string {
    const rest = this.state === 'start' ? this.held : '';
    this.held = '';
    return rest;
  }

  private answer(text: string): string {
    this.state = 'answer';
    this.held = '';
    return text;
  }
}

/**
 * A whole reply's answer, as AnswerStart reads it: without the `<think>…</think>` block that opens it (all of it when
 * the block is never closed), and without leading whitespace. A reply that closes a block it never opened is read
 * past that `</think>` too: a server whose chat template opens the block in the prompt (DeepSeek-R1's adds `<think>`
 * after the question) sends the reasoning and its closing tag alone. A stream cannot be read so (its reasoning is
 * shown before the tag that says what it was), a whole reply can.
 */
export function withoutReasoning(reply: string): string {
  const start = new AnswerStart();
  const answer = start.push(reply) + start.flush();
  if (start.reasoning) return answer;
  const lower = answer.toLowerCase();
  let close = lower.indexOf(THINK_CLOSE);
  while (close >= 0 && inCode(answer, close)) close = lower.indexOf(THINK_CLOSE, close + 1);
  if (close < 0 || lower.lastIndexOf(THINK_OPEN, close) >= 0) return answer;
  return answer.slice(close + THINK_CLOSE.length).trimStart();
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
