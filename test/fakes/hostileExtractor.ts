// A stand-in for the document extractor thread (src/index/build/documentExtractor.ts) that a document can make hostile:
// bytes beginning with `%HOSTILE-MEMORY` allocate until V8 stops the thread at its heap limit, as a parser that loops
// while it allocates does; `%HOSTILE-LOOP` loops forever without yielding, as a parser stuck in a synchronous loop
// does; `%HOSTILE-BUSY` answers that its time ran out and then loops, as a parser that goes on after its document was
// let go does. Any other document is extracted as the real thread does. Started without a heap limit, a memory-hungry
// document answers 'malformed' instead, so that a missing limit fails the test rather than taking the machine's memory.
import { parentPort, resourceLimits } from 'node:worker_threads';
import { serveExtractions } from '../../src/index/build/isolatedExtractor';
import { extractBinaryDocument } from '../../src/index/documents/binaryDocuments';

export const HOSTILE_MEMORY = '%HOSTILE-MEMORY';
export const HOSTILE_LOOP = '%HOSTILE-LOOP';
export const HOSTILE_BUSY = '%HOSTILE-BUSY';

const startsWith = (bytes: Uint8Array, text: string): boolean => Buffer.from(bytes).toString('latin1').startsWith(text);

if (parentPort)
  serveExtractions(parentPort, async (kind, bytes, timeoutMs) => {
    if (startsWith(bytes, HOSTILE_MEMORY)) {
      if (!resourceLimits.maxOldGenerationSizeMb) return { kind: 'skip', reason: 'malformed' };
      const held: number[][] = [];
      for (;;) held.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
    }
    if (startsWith(bytes, HOSTILE_LOOP)) for (;;);
    if (startsWith(bytes, HOSTILE_BUSY)) {
      setImmediate(() => {
        for (;;);
      });
      return { kind: 'skip', reason: 'extraction-timeout' };
    }
    return extractBinaryDocument(kind, bytes, timeoutMs);
  });
