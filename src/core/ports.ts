import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Passage } from './passage';

export interface SearchOptions {
  k: number;
  signal?: AbortSignal;
  /**
   * Hears what a person should know about this search's results, in a sentence (the local hybrid answering from its
   * keyword ranking alone because the embeddings endpoint failed): the retrieve step shows it as its detail.
   */
  onNotice?: (message: string) => void;
  /**
   * How long this search may wait for the retriever's first pass over the workspace (the local hybrid embedding
   * every chunk: minutes on a large workspace) before it answers from what it can rank now (the keyword ranking),
   * saying so (`onNotice`), while the pass goes on for the next search. Undefined: as long as the pass takes. An
   * agent's tool call sets it: its caller waits on it, and may give up.
   */
  firstSyncWaitMs?: number;
}

/** The one retrieval port: the local index, Databricks Vector Search and pgvector all implement it. */
export interface Retriever {
  search(query: string, options: SearchOptions): Promise<Passage[]>;
  /**
   * The weight (inverse document frequency) of an index term in the searched corpus, when the retriever knows it
   * (the local index); citations weigh a claim's terms with it. Terms are those of `index/tokenizer`. The index may
   * live in another thread, so the lookup is built from one answer: `texts` (the question and the passages a claim
   * will be written from) name the terms it must know exactly. Never rejects: undefined when unknown.
   */
  termWeights?(texts: readonly string[]): Promise<((term: string) => number) | undefined>;
}

/** Chat models are LangChain chat models, so retry, fallback and cancellation work the same for every provider. */
export type ChatModel = BaseChatModel;
