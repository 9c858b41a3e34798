import { join } from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { DocumentExtraction } from '../documents/documentCache';
import { EXTRACTION_TIMEOUT_MS, type BinaryDocumentKind } from '../documents/documents';
import { quietWorker } from './quietWorker';

/**
 * The heap of the thread that extracts documents (V8's old generation, in MB): a document the size checks let
 * through takes far less, and one that takes more (a parser looping while it allocates) is stopped here, costing
 * only that document.
 */
export const EXTRACTOR_HEAP_MB = 1024;
/** The extractor thread's young generation (MB): bounded too, so a thread's whole heap has a known ceiling. */
const EXTRACTOR_YOUNG_HEAP_MB = 32;

/**
 * How long past its time cap a document's extraction may take before its thread is terminated unanswered: the
 * thread's own timer, which lets the parser release what it holds, answers first when it can.
 */
const STOP_GRACE_MS = 2_000;

/**
 * The extractor script sits next to this module in every build: dist/documentExtractor.js beside dist/indexWorker.js
 * (esbuild), out/src/index/build/documentExtractor.js beside this file (tsc, unit tests).
 */
export const DEFAULT_EXTRACTOR_FILE = join(__dirname, 'documentExtractor.js');

export interface IsolatedExtractorOptions {
  /** The extractor thread's script; default DEFAULT_EXTRACTOR_FILE. */
  workerFile?: string;
  /** The extractor thread's heap limit (MB); default EXTRACTOR_HEAP_MB. */
  heapMb?: number;
  /** How long one document may take; default EXTRACTION_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** One document to extract, its bytes transferred to the extractor thread. */
export interface ExtractionRequest {
  kind: BinaryDocumentKind;
  bytes: ArrayBuffer;
  timeoutMs: number;
}

/** Extracts one document on the extractor thread (its script's side of the protocol). */
export type ExtractOnThread = (
  kind: BinaryDocumentKind,
  bytes: Uint8Array,
  timeoutMs: number,
) => Promise<DocumentExtraction>;

/**
 * The extractor thread's side: answers each request on `port` with `extract`'s result, one at a time. An extraction
 * that throws (it never should) answers 'malformed'.
 */
export function serveExtractions(port: MessagePort, extract: ExtractOnThread): void {
  let work = Promise.resolve();
  port.on('message', ({ kind, bytes, timeoutMs }: ExtractionRequest) => {
    work = work.then(async () => {
      const extraction = await extract(kind, new Uint8Array(bytes), timeoutMs).catch((): DocumentExtraction => ({
        kind: 'skip',
        reason: 'malformed',
      }));
      port.postMessage(extraction);
    });
  });
}

/**
 * Extracts PDFs and Word documents on a thread of its own with a heap of its own, so that a document whose parser
 * runs out of memory, crashes or never returns (a synchronous loop, which no timer on the parser's own thread can
 * end) costs only that document: it is skipped as 'extraction-failed' (the thread died) or 'extraction-timeout' (no
 * answer within the time cap; the thread is terminated, which stops a loop too), and the next document gets a fresh
 * thread. A thread that lives on is reused, so pdf.js and mammoth load once per thread. Documents are extracted one
 * at a time, in the order asked. An idle thread never keeps its process alive; `close` ends it.
 */
export class IsolatedExtractor {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly workerFile: string;
  private readonly heapMb: number;
  private readonly timeoutMs: number;

  constructor(options: IsolatedExtractorOptions = {}) {
    this.workerFile = options.workerFile ?? DEFAULT_EXTRACTOR_FILE;
    this.heapMb = options.heapMb ?? EXTRACTOR_HEAP_MB;
    this.timeoutMs = options.timeoutMs ?? EXTRACTION_TIMEOUT_MS;
  }

  /** A document's extraction. Takes `bytes` over (their buffer may move to the extractor thread). Never throws. */
  extract(kind: BinaryDocumentKind, bytes: Uint8Array): Promise<DocumentExtraction> {
    const next = this.queue.then(() => this.extractNow(kind, bytes));
    this.queue = next;
    return next;
  }

  /** Ends the extractor thread (a later `extract` starts another). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private extractNow(kind: BinaryDocumentKind, bytes: Uint8Array): Promise<DocumentExtraction> {
    const worker = (this.worker ??= this.start());
    return new Promise<DocumentExtraction>(resolve => {
      const settle = (extraction: DocumentExtraction, stop: boolean): void => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onDeath).off('exit', onDeath);
        if (stop) {
          if (this.worker === worker) this.worker = undefined;
          void worker.terminate();
        }
        resolve(extraction);
      };
      // a thread whose extraction ran out of time may still be running it (a parser that loops between awaits goes on
      // after its document is let go): it is not given the next document
      const onMessage = (extraction: DocumentExtraction): void =>
        settle(extraction, extraction.kind === 'skip' && extraction.reason === 'extraction-timeout');
      const onDeath = (): void => settle({ kind: 'skip', reason: 'extraction-failed' }, true);
      // the thread's own timer answers first when its thread is free to; this one ends a thread that cannot answer (a
      // synchronous loop)
      const timer = setTimeout(
        () => settle({ kind: 'skip', reason: 'extraction-timeout' }, true),
        this.timeoutMs + STOP_GRACE_MS,
      );
      worker.on('message', onMessage).on('error', onDeath).on('exit', onDeath);
      const buffer = ownBuffer(bytes);
      worker.postMessage({ kind, bytes: buffer, timeoutMs: this.timeoutMs } satisfies ExtractionRequest, [buffer]);
    });
  }

  private start(): Worker {
    const worker = quietWorker(this.workerFile, {
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: EXTRACTOR_YOUNG_HEAP_MB },
    });
    worker.unref();
    // A thread that dies between documents is not asked again: the next document starts another. (A death during an
    // extraction is that extraction's: see extractNow.) The listener also keeps its 'error' from being thrown.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    return worker;
  }
}

/**
 * A buffer holding exactly `bytes`, to transfer: their own when they span all of it, else a copy (a small Buffer
 * shares Node's pool with others, which a transfer would take from them).
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return new Uint8Array(bytes).buffer; // a copy (a Buffer's slice() would be a view of the same memory)
}
