/**
 * What the VS Code layer loads on first use, through loadCore(): the answer pipeline (LangGraph, LangChain), the
 * model clients (the OpenAI client, the VS Code LM wrapper), the connection test, the embeddings clients and the
 * remote engines (pg). esbuild.mjs bundles this module on its own, as dist/core.js, so none of it is parsed at
 * activation.
 */
export { agentSearch, agentSearchInput } from '../core/agentSearch';
export { ask } from '../core/ask';
export { createEmbedder } from '../embeddings/createEmbedder';
export { testConnection } from '../providers/connectionTest';
export { createOpenAiCompatibleModels } from '../providers/openAiCompatible';
export { UnavailableChatModel } from '../providers/unavailableChatModel';
export { VscodeLmChatModel } from '../providers/vscodeLmChatModel';
export { createRemoteRetriever } from '../retrievers/createRetriever';
export { HybridRetriever } from '../retrievers/hybridRetriever';
