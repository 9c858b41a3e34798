import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Passage } from './passage';

export interface SearchOptions {
  k: number;
  signal?: AbortSignal;
}

/** The one retrieval port: the local index, Databricks Vector Search and pgvector all implement it. */
export interface Retriever {
  search(query: string, options: SearchOptions): Promise<Passage[]>;
  /**
   * The weight (inverse document frequency) of an index term in the searched corpus, when the retriever knows it
   * (the local index); citations weigh a claim's terms with it. Terms are those of `index/tokenizer`.
   */
  termWeights?(): ((term: string) => number) | undefined;
}

/** Chat models are LangChain chat models, so retry, fallback and cancellation work the same for every provider. */
export type ChatModel = BaseChatModel;
