import { performance } from 'node:perf_hooks';
import { ask } from '../../../src/core/ask';
import { CHECK_SYSTEM } from '../../../src/core/citations/modelCheck';
import type { CitationCheck } from '../../../src/core/citations/resolve';
import type { Passage } from '../../../src/core/passage';
import type { Retriever } from '../../../src/core/ports';
import { ScriptedChatModel } from '../../fakes/scriptedChatModel';

export const CHECKS: readonly CitationCheck[] = ['off', 'lexical', 'model'];

/** Milliseconds from ask() to its first token and to its end, per run (unsorted), and citations per answer. */
export interface AskTimes {
  first: number[];
  total: number[];
  citations: number;
}

/**
 * ask() with grading off over `sources`, answered by a scripted model that streams `answer` three words at a time
 * (and, for `citationCheck: model`, says every claim is supported). `weight` is the retriever's IDF: a local
 * index has one, a remote retriever none (the citations then compute IDF over the sources before streaming).
 */
export async function askTimes(
  sources: Passage[],
  answer: string,
  weight: ((term: string) => number) | undefined,
  rounds: number,
): Promise<Record<CitationCheck, AskTimes>> {
  // three words a token: the first token and the markers are what is timed, not the scripted model's pauses
  const tokens = answer.match(/(?:\s*\S+){1,3}/g) ?? [];
  const model = new ScriptedChatModel(call => {
    if (call.system !== CHECK_SYSTEM) return { tokens };
    const claims = call.prompt.match(/^Claim \d+:/gm)?.length ?? 0;
    return { reply: JSON.stringify({ verdicts: Array.from({ length: claims }, () => 'supported') }) };
  });
  // fresh passage objects per search, as a retriever returns them (nothing of the last answer is cached on them)
  const retriever: Retriever = {
    search: async () => sources.map(p => ({ ...p })),
    ...(weight && { termWeights: () => Promise.resolve(weight) }),
  };
  const once = async (citationCheck: CitationCheck) => {
    const started = performance.now();
    let first = 0;
    let citations = 0;
    for await (const e of ask(
      { question: 'what do the guides say?' },
      { retriever, model, options: { grading: false, citationCheck } },
    )) {
      if (e.type === 'token') first ||= performance.now() - started;
      if (e.type === 'error') throw e.error;
      if (e.type === 'done') citations = e.citations.length;
    }
    return { first, total: performance.now() - started, citations };
  };
  const empty = (): AskTimes => ({ first: [], total: [], citations: 0 });
  const out: Record<CitationCheck, AskTimes> = { off: empty(), lexical: empty(), model: empty() };
  for (let i = 0; i < 5; i++) for (const check of CHECKS) await once(check);
  // Interleaved, each round starting with the next setting, so that drift on a shared machine and the garbage of
  // the run before hit every setting alike.
  for (let i = 0; i < rounds; i++) {
    for (const check of [...CHECKS.slice(i % CHECKS.length), ...CHECKS.slice(0, i % CHECKS.length)]) {
      const r = await once(check);
      out[check].first.push(r.first);
      out[check].total.push(r.total);
      out[check].citations = r.citations;
    }
  }
  return out;
}
