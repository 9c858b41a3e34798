// The embedded index's public surface: code outside src/index imports the index from here only (lint enforces it).
// Inside, one folder per step of the pipeline: discovery → (documents: notebooks' text) → chunking → terms →
// segments (scored with scoring/) → store, run in a worker by build/; workspaceIndex.ts is the index as the host
// holds it.

// The index of a workspace's folders, kept up to date and queried by the host.
export { WorkspaceIndex, type WorkspaceIndexConfig } from './workspaceIndex';
// The same index held in an index thread, so the host keeps only what it is sent (the extension's).
export {
  openWorkspaceIndex,
  WorkspaceIndexClient,
  type WorkspaceIndexClientConfig,
  type WorkspaceIndexHandle,
} from './workspaceIndexClient';
export type { IndexHit } from './segments/segmentedIndex';
export type { SyncProgress } from './build/syncRequest';
export { skipNotes, type IndexStats } from './segments/indexStats';
export {
  indexReportMarkdown,
  indexReportText,
  skippedCounts,
  type IndexReport,
  type IndexReportText,
} from './indexReport';

// Which files are indexed, and how one is read (the remote retrievers push and read files by the same rules).
export { DEFAULT_MAX_FILES, fileCountLimit, isInside, type DiscoveryRules } from './discovery/walkFolders';
export {
  DEFAULT_BATCH_FILES,
  discoverFileBatches,
  type FileBatches,
  type FileBatchOptions,
} from './discovery/fileBatches';
export {
  DEFAULT_MAX_FILE_BYTES,
  fileByteLimit,
  hashBytes,
  MAX_FILE_BYTES_LIMIT,
  readFileContent,
} from './discovery/fileReading';
export { DEFAULT_EXCLUDE_GLOBS } from './discovery/ignoreRules';
// The folders a walk enters, by the same rules (a watcher of the folders watches them all).
export { folderNames, IGNORE_FILES, walkedFolders } from './discovery/walkFolders';
export { SKIP_REASONS, type SkipReason } from './discovery/skipReasons';

// Chunks and terms, as the index makes them (citations align claims with the same tokenizer).
export { chunkKind, chunkText, setextHeadingText, splitLines } from './chunking/chunker';
export { TextLines } from './chunking/textLines';
export { STOPWORDS, tokenize, type Tokenizer } from './terms/tokenizer';

// Documents read for their cells (notebooks): their text as the index chunks it, and which cell its lines are in.
export {
  binaryDocumentKind,
  documentSettings,
  extractDocument,
  isNotebookPath,
  MAX_DOCUMENT_BYTES_LIMIT,
  type DocumentSettings,
} from './documents/documents';
export { cachedExtraction, documentCacheDir } from './documents/documentCache';
export { joinedOutputs } from './documents/notebook';
export {
  citesCells,
  docxDocument,
  unitOf,
  type DocumentUnit,
  type ExtractedDocument,
} from './documents/extractedDocument';
// A file's chunks as the index makes and cites them (the pushed rows and the local hybrid's vectors are these).
export { fileChunks, placeInDocument, type ChunkPlace, type PlacedChunk } from './documents/documentChunks';
export { readAsIndexed, type HostFileContent, type HostReadOptions } from './documents/hostFileReading';

// Building and ranking an index in memory (`grounded eval` scores a data set without the worker or a store).
export { SegmentBuilder } from './segments/segmentBuilder';
export { SegmentedIndex } from './segments/segmentedIndex';
export { noFiles } from './segments/fileTable';
export { topK } from './scoring/topK';
export type { Bm25Params } from './scoring/bm25';
// A long loop's turns of the event loop, where it also stops when cancelled (a Ctrl-C in `grounded eval`).
export { createYielder } from './base/yieldToEventLoop';

// The folder an index is stored in (the CLI claims it before the first build).
export { claimStoreFolder, StoreFolderError } from './store/storeFolder';
// Whether a store holds a saved index (a long-running command searches it at once rather than wait for a build).
export { IndexStore } from './store/indexStore';
/** The store's checksum (zlib's CRC-32), for other stored files that must tell a damaged copy from a good one. */
export { crc32 } from './store/binaryFormat';
