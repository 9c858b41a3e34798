import { END, START, StateGraph } from '@langchain/langgraph';
import { generate } from './nodes/generate';
import { grade } from './nodes/grade';
import { presentSearchResults } from './nodes/presentSearchResults';
import { retrieve } from './nodes/retrieve';
import { rewrite } from './nodes/rewrite';
import type { RagRun } from './run';
import { RagState, type RagStateType } from './state';

/**
 *   START → retrieve → (search mode or no model) → presentSearchResults → END
 *                    → grade → (enough relevant, or rewrites used up) → generate → END
 *                            → rewrite → retrieve …            (at most maxRewrites times)
 */
export function buildRagGraph(run: RagRun) {
  const afterRetrieve = (state: RagStateType) =>
    state.mode === 'search' || !run.model ? 'presentSearchResults' : 'grade';

  const decideToGenerate = (state: RagStateType) =>
    state.relevant.length >= run.options.minRelevant || state.rewrites >= run.options.maxRewrites ? 'generate' : 'rewrite';

  return new StateGraph(RagState)
    .addNode('retrieve', retrieve(run))
    .addNode('grade', grade(run))
    .addNode('rewrite', rewrite(run))
    .addNode('generate', generate(run))
    .addNode('presentSearchResults', presentSearchResults)
    .addEdge(START, 'retrieve')
    .addConditionalEdges('retrieve', afterRetrieve, ['presentSearchResults', 'grade'])
    .addConditionalEdges('grade', decideToGenerate, ['generate', 'rewrite'])
    .addEdge('rewrite', 'retrieve')
    .addEdge('generate', END)
    .addEdge('presentSearchResults', END)
    .compile();
}
