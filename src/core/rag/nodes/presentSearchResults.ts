import { passageRef, type Passage } from '../../passage';
import { emitter, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

const SNIPPET_LINES = 6;

/** No model, or `/search`: the answer is the ranked passages themselves, labelled as search results. */
export async function presentSearchResults(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const emit = emitter(config);
  const sources = state.passages;
  emit({ type: 'sources', sources });
  const label =
    state.mode === 'search'
      ? `Search results for “${state.query}”`
      : 'No language model is available, so these are search results, not an answer';
  const answer =
    sources.length === 0
      ? `${label}: nothing in the workspace matches. Try other words.`
      : `**${label}:**\n\n${sources.map((p, i) => formatResult(p, i + 1)).join('\n\n')}`;
  // Each result cites itself, whole: there is no claim to align or check.
  const citations = sources.map((passage, i) => ({
    n: i + 1,
    ordinal: i,
    passage,
    claim: '',
    startLine: passage.startLine,
    endLine: passage.endLine,
  }));
  for (const citation of citations) emit({ type: 'citation', citation });
  emit({ type: 'token', text: answer });
  return { answer, citations };
}

function formatResult(p: Passage, n: number): string {
  const lines = p.text.split('\n');
  const snippet = lines.slice(0, SNIPPET_LINES).join('\n') + (lines.length > SNIPPET_LINES ? '\n…' : '');
  const fence = snippet.includes('```') ? '~~~~' : '```';
  return `${n}. \`${passageRef(p, p.startLine, p.endLine)}\`${p.title ? ` — ${p.title}` : ''} [${n}]\n\n${fence}\n${snippet}\n${fence}`;
}
