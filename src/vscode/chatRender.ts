import type { ErrorAction, GroundedError } from '../core/errors';
import type { AnswerEvent, AnswerMode } from '../core/events';
import type { Passage } from '../core/passage';
import { CitationSegmenter } from '../core/rag/citations';

/** What the chat renderer needs from a ChatResponseStream; tests pass a spy. */
export interface ChatSink {
  progress(text: string): void;
  markdown(text: string): void;
  anchor(n: number, passage: Passage): void;
  reference(passage: Passage): void;
  button(action: ErrorAction): void;
}

export interface ChatOutcome {
  answer: string;
  mode: AnswerMode;
  cited: number;
  error?: GroundedError;
}

export const RETRY: ErrorAction = { title: 'Retry', command: 'grounded.retry' };

/** Maps the core's events onto chat: progress per step, markdown with inline anchors, references at the end. */
export async function renderToChat(events: AsyncIterable<AnswerEvent>, sink: ChatSink): Promise<ChatOutcome> {
  let segmenter = new CitationSegmenter([]);
  let sources: Passage[] = [];
  const write = (segments: ReturnType<CitationSegmenter['push']>) => {
    for (const s of segments) {
      if (s.type === 'text') sink.markdown(s.text);
      else sink.anchor(s.n, s.passage);
    }
  };
  for await (const event of events) {
    switch (event.type) {
      case 'step':
        sink.progress(event.detail);
        break;
      case 'sources':
        sources = event.sources;
        segmenter = new CitationSegmenter(sources);
        break;
      case 'token':
        write(segmenter.push(event.text));
        break;
      case 'done': {
        write(segmenter.flush());
        // Cited passages first; an answer that cites nothing still shows what it was written from.
        const shown = event.citations.length > 0 ? event.citations.map(c => c.passage) : event.mode === 'answer' ? sources : [];
        for (const p of shown) sink.reference(p);
        return { answer: event.answer, mode: event.mode, cited: event.citations.length };
      }
      case 'error':
        write(segmenter.flush());
        if (event.partial) sink.markdown('\n\n*— answer interrupted —*');
        if (event.error.kind !== 'bad-input') {
          if (event.error.options.action) sink.button(event.error.options.action);
          if (event.error.kind !== 'cancelled') sink.button(RETRY);
        }
        return { answer: event.partial, mode: 'answer', cited: 0, error: event.error };
      default: {
        const unknown: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  }
  return { answer: '', mode: 'answer', cited: 0 };
}
