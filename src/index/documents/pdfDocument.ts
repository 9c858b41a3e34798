import type * as PdfjsModule from 'pdfjs-dist/legacy/build/pdf.mjs' with { 'resolution-mode': 'import' };
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DocumentUnit, ExtractedDocument } from './extractedDocument';
import { MAX_DECODED_BYTES, MAX_STREAM_DECODED_BYTES, pdfStreamsWithin } from './pdfStreamSizes';

type Pdfjs = typeof PdfjsModule;

/** Why a PDF gives no text to index. */
export type PdfSkipReason = 'encrypted' | 'no-text-layer' | 'malformed' | 'extraction-timeout' | 'too-large';

export type PdfExtraction = { kind: 'document'; document: ExtractedDocument } | { kind: 'skip'; reason: PdfSkipReason };

const LINE_BREAK = /\r\n|\r|\n/;

let loaded: Promise<Pdfjs> | undefined;

/**
 * pdf.js, loaded once, at the first PDF. Its parser runs on this thread (the index worker's): the parser module is
 * handed to pdf.js as `globalThis.pdfjsWorker`, so it starts no worker of its own and loads no file by URL.
 */
function pdfjs(): Promise<Pdfjs> {
  loaded ??= (async () => {
    const parser = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
    const global = globalThis as { pdfjsWorker?: unknown; DOMMatrix?: unknown };
    global.pdfjsWorker = parser;
    // The display module makes one DOMMatrix as it loads, for drawing on a canvas, which reading text never does;
    // Node has none (nor a canvas package in the bundle): an identity matrix lets the module load.
    global.DOMMatrix ??= IdentityMatrix;
    // Loading, it warns (on the console, so in the CLI's output) that it found no canvas to draw with.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const lib = await import('pdfjs-dist/legacy/build/pdf.mjs');
      lib.GlobalWorkerOptions.workerSrc = 'pdf.worker.mjs'; // never loaded: the parser above is used
      return lib;
    } finally {
      console.warn = warn;
    }
  })();
  return loaded;
}

/** The identity transform, as the one DOMMatrix pdf.js makes when it loads (see `pdfjs`). */
class IdentityMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
}

/**
 * A PDF's text layer, page by page: one unit per page that has text (lines of the page, right-trimmed, runs of blank
 * lines made one), so chunks never span two pages. Skipped with a reason when the PDF needs a password, has no text
 * on any page (scanned images), cannot be parsed, or takes longer than `timeoutMs` to read; as 'too-large' when a
 * stream decodes past MAX_STREAM_DECODED_BYTES or all of them past MAX_DECODED_BYTES (checked before pdf.js reads
 * the file: its decoding blocks the thread, so no timeout could end it; an encrypted file's streams decrypted, and one
 * whose key the empty password does not give is skipped as needing a password without pdf.js). Never throws.
 */
export async function extractPdf(bytes: Uint8Array, timeoutMs: number): Promise<PdfExtraction> {
  const within = pdfStreamsWithin(bytes, MAX_STREAM_DECODED_BYTES, MAX_DECODED_BYTES);
  if (within === 'needs-password') return { kind: 'skip', reason: 'encrypted' };
  if (!within) return { kind: 'skip', reason: 'too-large' };
  const lib = await pdfjs();
  // pdf.js takes the buffer over (detaches it): it gets a copy.
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
    ...cmapOptions(),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<PdfExtraction>(resolve => {
    timer = setTimeout(() => resolve({ kind: 'skip', reason: 'extraction-timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([pagesOf(task), timedOut]);
  } catch (e) {
    return { kind: 'skip', reason: errorName(e) === 'PasswordException' ? 'encrypted' : 'malformed' };
  } finally {
    clearTimeout(timer);
    await task.destroy().catch(() => undefined);
  }
}

/** The folder the build copies pdf.js's character maps to, beside the bundle (see esbuild.mjs). */
export const BUNDLED_CMAPS = 'pdfjs-cmaps';

/**
 * Where pdf.js reads Adobe's character maps (`.bcmap`, read from disk, never fetched): a font that names one of them
 * as its encoding instead of carrying its own (`/Encoding /UniJIS-UCS2-H`, as PDFs in Chinese, Japanese and Korean
 * often do) has no character pdf.js can read without it, so the page's text in that font was lost. Beside the bundle
 * (dist/pdfjs-cmaps); unbundled (the tests), pdfjs-dist's own folder; none found: no maps, as before.
 */
function cmapOptions(): { cMapUrl?: string; cMapPacked?: boolean } {
  let dir = join(__dirname, BUNDLED_CMAPS);
  if (!existsSync(dir)) {
    try {
      dir = join(dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps');
    } catch {
      return {};
    }
  }
  // pdf.js appends the map's name to the folder, which must end in '/' (Node reads such a path on Windows too)
  return { cMapUrl: `${dir}/`, cMapPacked: true };
}

type PdfDocumentProxy = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>;

/**
 * The pages' text, a page that cannot be read (a damaged or missing page object: a truncated download, a broken
 * page tree) left out as one without text, so the others are still read; 'malformed' when no page could be read.
 * Stops when the task is destroyed (its time ran out).
 */
async function pagesOf(task: ReturnType<Pdfjs['getDocument']>): Promise<PdfExtraction> {
  const pdf = await task.promise;
  const lines: string[] = [];
  const units: DocumentUnit[] = [];
  let unreadable = 0;
  for (let page = 1; page <= pdf.numPages && !task.destroyed; page++) {
    const text = await pageText(pdf, page).catch(() => undefined);
    if (text === undefined) unreadable++;
    const own = pageLines(text ?? '');
    if (own.length === 0) continue;
    units.push({ kind: 'text', cell: 0, page, start: lines.length, end: lines.length + own.length });
    lines.push(...own);
  }
  if (units.length === 0) return { kind: 'skip', reason: unreadable === pdf.numPages ? 'malformed' : 'no-text-layer' };
  return { kind: 'document', document: { kind: 'pdf', text: lines.join('\n'), units, pages: pdf.numPages } };
}

/** A page's text as pdf.js lays it out: its runs of text in order, with a line break where a line ends. */
async function pageText(pdf: PdfDocumentProxy, n: number): Promise<string> {
  const page = await pdf.getPage(n);
  try {
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue; // a marked-content boundary
      text += item.str;
      if (item.hasEOL) text += '\n';
    }
    return text;
  } finally {
    page.cleanup();
  }
}

/** A page's lines for the index: right-trimmed, no leading or trailing blank line, no two blank lines in a row. */
export function pageLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split(LINE_BREAK)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' && (lines.length === 0 || lines[lines.length - 1] === '')) continue;
    lines.push(line);
  }
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const errorName = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : undefined;
