import { emitter, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

export async function retrieve(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  emit({ type: 'step', name: 'retrieve', detail: `Searching the workspace for “${clip(state.query, 80)}”` });
  const passages = await run.retriever.search(state.query, {
    k: run.options.k,
    signal: run.signal,
    onNotice: detail => emit({ type: 'step', name: 'retrieve', detail }),
  });
  return { passages, searched: state.query };
}

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
