// Entry of the document extractor thread (dist/documentExtractor.js when bundled,
// out/src/index/build/documentExtractor.js under tsc), started by an index build's threads (see isolatedExtractor.ts):
// extracts the PDFs and Word documents it is sent, one at a time, with pdf.js and mammoth, and answers each with its
// extraction.
import { parentPort } from 'node:worker_threads';
import { extractBinaryDocument } from '../documents/binaryDocuments';
import { lowerBuildThreadPriority } from './buildPriority';
import { serveExtractions } from './isolatedExtractor';

if (parentPort) {
  lowerBuildThreadPriority(); // it works for a build, like the thread that started it
  serveExtractions(parentPort, extractBinaryDocument);
}
