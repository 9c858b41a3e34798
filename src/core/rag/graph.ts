import { END, START, StateGraph } from '@langchain/langgraph';
import { checkCitations } from './nodes/checkCitations';
import { generate } from './nodes/generate';
import { grade } from './nodes/grade';
import { presentSearchResults } from './nodes/presentSearchResults';
import { retrieve } from './nodes/retrieve';
import { rewrite } from './nodes/rewrite';
import { RagContext, runOf, type RagConfig } from './run';
import { RagState, type RagStateType } from './state';

/**
 *   START → retrieve → (search mode or no model) → presentSearchResults → END
 *                    → (grading off) → generate → …
 *                    → grade → (enough relevant, or rewrites used up) → generate → …
 *                            → rewrite → retrieve …            (at most maxRewrites times)
 *                                      → (no new query) → generate → …
 *   generate → (citation check "model", something cited) → checkCitations → END
 *            → END
 */
function buildRagGraph() {
  const afterRetrieve = (state: RagStateType, config: RagConfig) => {
    const run = runOf(config);
    return state.mode === 'search' || !run.model ? 'presentSearchResults' : run.options.grading ? 'grade' : 'generate';
  };

  const decideToGenerate = (state: RagStateType, config: RagConfig) => {
    const { options } = runOf(config);
    return state.relevant.length >= options.minRelevant || state.rewrites >= options.maxRewrites
      ? 'generate'
      : 'rewrite';
  };

  // a failed or unchanged rewrite would search and grade the same passages again, to the same verdict
  const afterRewrite = (state: RagStateType) => (state.query === state.searched ? 'generate' : 'retrieve');

  const decideToCheck = (state: RagStateType, config: RagConfig) =>
    runOf(config).options.citationCheck === 'model' && state.citations.length > 0 ? 'checkCitations' : END;

  return new StateGraph(RagState, RagContext)
    .addNode('retrieve', retrieve)
    .addNode('grade', grade)
    .addNode('rewrite', rewrite)
    .addNode('generate', generate)
    .addNode('checkCitations', checkCitations)
    .addNode('presentSearchResults', presentSearchResults)
    .addEdge(START, 'retrieve')
    .addConditionalEdges('retrieve', afterRetrieve, ['presentSearchResults', 'grade', 'generate'])
    .addConditionalEdges('grade', decideToGenerate, ['generate', 'rewrite'])
    .addConditionalEdges('rewrite', afterRewrite, ['retrieve', 'generate'])
    .addConditionalEdges('generate', decideToCheck, ['checkCitations', END])
    .addEdge('checkCitations', END)
    .addEdge('presentSearchResults', END)
    .compile();
}

let compiled: ReturnType<typeof buildRagGraph> | undefined;

/** The compiled graph, built once: each run brings its ports and options in its typed context (`context.run`). */
export function ragGraph(): ReturnType<typeof buildRagGraph> {
  compiled ??= buildRagGraph();
  return compiled;
}
