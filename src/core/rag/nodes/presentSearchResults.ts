import { quotedWithoutMarkers } from '../../../shared/citationMarkers';
import { codeSpan } from '../../../shared/codeSpan';
import { numberedLines, searchResultViews, type SearchResultView } from '../../searchResults';
import { emitter, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

/**
 * No model, or `/search`: the answer is the ranked passages themselves, labelled as search results. Each result
 * shows `path:start-end`, the heading its matched lines are under and those lines (not the chunk's first lines),
 * and cites them; the number is bold text, not a markdown list, so every renderer numbers it the same.
 */
export async function presentSearchResults(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const emit = emitter(config);
  const sources = state.passages;
  emit({ type: 'sources', sources });
  const label =
    state.mode === 'search'
      ? `Search results for “${quotedWithoutMarkers(state.query)}”`
      : 'No language model is available, so these are search results, not an answer';
  const weights = await runOf(config).retriever.termWeights?.([state.query, ...sources.map(s => s.text)]);
  const views = searchResultViews(sources, state.query, weights);
  const answer =
    sources.length === 0
      ? `${label}: nothing in the workspace matches. Try other words.`
      : `**${label}:**\n\n${views.map((v, i) => formatResult(v, i + 1)).join('\n\n')}`;
  // Each result cites the lines it shows: there is no claim to align or check.
  const citations = sources.map((passage, i) => ({
    n: i + 1,
    ordinal: i,
    passage,
    claim: '',
    startLine: views[i]?.startLine ?? passage.startLine,
    endLine: views[i]?.endLine ?? passage.endLine,
  }));
  for (const citation of citations) emit({ type: 'citation', citation });
  emit({ type: 'token', text: answer });
  return { answer, citations };
}

/**
 * `**1.** `path:10-24` · Heading`, then the matched lines with their numbers, fenced. The results cite by their
 * numbers, never by a `[n]` in the text: one in a heading is shown as written.
 */
export function formatResult(v: SearchResultView, n: number): string {
  const body = numberedLines(v.lines, v.startLine).join('\n');
  const fence = body.includes('```') ? '~~~~' : '```';
  return `**${n}.** ${codeSpan(v.ref)}${v.heading ? ` · ${quotedWithoutMarkers(v.heading)}` : ''}\n\n${fence}\n${body}\n${fence}`;
}
