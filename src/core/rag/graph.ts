import { END, START, StateGraph } from '@langchain/langgraph';
import { generate } from './nodes/generate';
import { grade } from './nodes/grade';
import { presentSearchResults } from './nodes/presentSearchResults';
import { retrieve } from './nodes/retrieve';
import { rewrite } from './nodes/rewrite';
import { runOf } from './run';
import { RagState, type RagStateType } from './state';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';

/**
 *   START → retrieve → (search mode or no model) → presentSearchResults → END
 *                    → (grading off) → generate → END
 *                    → grade → (enough relevant, or rewrites used up) → generate → END
 *                            → rewrite → retrieve …            (at most maxRewrites times)
 */
function buildRagGraph() {
  const afterRetrieve = (state: RagStateType, config: LangGraphRunnableConfig) => {
    const run = runOf(config);
    return state.mode === 'search' || !run.model ? 'presentSearchResults' : run.options.grading ? 'grade' : 'generate';
  };

  const decideToGenerate = (state: RagStateType, config: LangGraphRunnableConfig) => {
    const { options } = runOf(config);
    return state.relevant.length >= options.minRelevant || state.rewrites >= options.maxRewrites ? 'generate' : 'rewrite';
  };

  return new StateGraph(RagState)
    .addNode('retrieve', retrieve)
    .addNode('grade', grade)
    .addNode('rewrite', rewrite)
    .addNode('generate', generate)
    .addNode('presentSearchResults', presentSearchResults)
    .addEdge(START, 'retrieve')
    .addConditionalEdges('retrieve', afterRetrieve, ['presentSearchResults', 'grade', 'generate'])
    .addConditionalEdges('grade', decideToGenerate, ['generate', 'rewrite'])
    .addEdge('rewrite', 'retrieve')
    .addEdge('generate', END)
    .addEdge('presentSearchResults', END)
    .compile();
}

let compiled: ReturnType<typeof buildRagGraph> | undefined;

/** The compiled graph, built once: each run brings its ports and options in `configurable.run`. */
export function ragGraph(): ReturnType<typeof buildRagGraph> {
  compiled ??= buildRagGraph();
  return compiled;
}
