import type { DocumentExtraction } from './documentCache';
import { docxDocument } from './extractedDocument';
import { zipTextParts } from './zipTextParts';

/** The first bytes of an OLE compound file: how Word stores a document encrypted with a password (not a zip). */
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from('PK');
/**
 * The most markup a Word document's parts may inflate to. mammoth converts it whole, on the worker's thread, at
 * about a hundred times its size in memory (a 40 MB body took a minute and 4.5 GB); a 16 MB body is a book of some
 * thousand pages.
 */
const MAX_TEXT_PART_BYTES = 16 * 1024 * 1024;

/**
 * A Word document's text as markdown lines, headings kept (`## Pricing`), so the chunker titles each section with
 * its heading trail: paragraphs and list items one per line, a table row as its cells joined by ` | `. Skipped
 * as 'encrypted' when the file is Word's password-protected container, 'malformed' when it cannot be read,
 * 'too-large' when its markup inflates past MAX_TEXT_PART_BYTES (checked before the parser sees it: a conversion
 * blocks the thread, so no timeout could end it) and 'no-text-layer' when it holds no text. Images are never read.
 * Never throws.
 */
export async function extractDocx(bytes: Uint8Array, timeoutMs: number): Promise<DocumentExtraction> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, OLE_MAGIC.length).equals(OLE_MAGIC)) return { kind: 'skip', reason: 'encrypted' };
  if (!buffer.subarray(0, 2).equals(ZIP_MAGIC)) return { kind: 'skip', reason: 'malformed' };
  const parts = zipTextParts(buffer, MAX_TEXT_PART_BYTES);
  if (typeof parts === 'string') return { kind: 'skip', reason: parts };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<DocumentExtraction>(resolve => {
    timer = setTimeout(() => resolve({ kind: 'skip', reason: 'extraction-timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([converted(parts), timedOut]);
  } catch {
    return { kind: 'skip', reason: 'malformed' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The zip as mammoth opens it (`exists`, `read`; what its `openZip` takes as `{ file }`), holding only the text parts
 * checked against the cap: mammoth finds the parts it reads by the package's relationships, which may name any entry,
 * and its zip reader (JSZip) may find entries where ours found none; given the bytes, it would inflate those whole.
 */
interface CheckedZip {
  exists(name: string): boolean;
  read(name: string, encoding?: string): Promise<Uint8Array | string>;
}

function checkedZip(parts: ReadonlyMap<string, Buffer>): CheckedZip {
  return {
    exists: name => parts.has(name),
    read: (name, encoding) => {
      const part = parts.get(name);
      if (!part) return Promise.reject(new Error(`no part ${name}`));
      return Promise.resolve(encoding ? new TextDecoder(encoding).decode(part) : part);
    },
  };
}

async function converted(parts: ReadonlyMap<string, Buffer>): Promise<DocumentExtraction> {
  const mammoth = await import('mammoth');
  // an image becomes an <img> without its bytes (dropped with the tags): its part is not among the text parts anyway
  const noImage = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));
  // `file` is the input mammoth's `openZip` takes besides a path or a buffer; its types name only those two
  const input = { file: checkedZip(parts) } as unknown as Parameters<typeof mammoth.convertToHtml>[0];
  const { value: html } = await mammoth.convertToHtml(input, { convertImage: noImage });
  const lines = htmlLines(html);
  if (!lines.some(l => l.trim() !== '')) return { kind: 'skip', reason: 'no-text-layer' };
  return { kind: 'document', document: docxDocument(lines) };
}

const BLOCK_END = /<\/(?:p|li|h[1-6]|tr|table|ul|ol)>|<br\s*\/?>/gi;

/**
 * mammoth's HTML (headings, paragraphs, lists, tables; no styles) as lines of markdown: a heading becomes `#`s and
 * its text, a blank line stands between blocks, a table row is its cells joined by ` | `.
 */
export function htmlLines(html: string): string[] {
  const text = html
    // A cell's paragraphs are one line of its row.
    // `<td`/`<th` then a space or `>`: `<thead>` and `<tbody>` open no cell
    .replace(/(<t[dh](?:\s[^>]*)?>)([\s\S]*?)(<\/t[dh]>)/gi, (_, open: string, inner: string, close: string) =>
      [open, inner.replace(/<\/?p[^>]*>/gi, ' ').trim(), close].join(''),
    )
    .replace(/<h([1-6])[^>]*>/gi, (_, level: string) => `\n\n${'#'.repeat(Number(level))} `)
    .replace(/<\/h[1-6]>/gi, '\n\n')
    .replace(/<\/t[dh]>\s*<t[dh](?:\s[^>]*)?>/gi, ' | ')
    .replace(/<p[^>]*>/gi, '\n')
    .replace(BLOCK_END, '\n')
    .replace(/<[^>]+>/g, '');
  const lines: string[] = [];
  // A carriage return in the text (`&#13;` in the markup) ends a line too, as the index counts lines: split at '\n'
  // only, a line holding one would be two lines to the index, and the unit would end one line short of the text.
  for (const raw of decodeEntities(text).split(/\r\n|\r|\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' && (lines.length === 0 || lines[lines.length - 1] === '')) continue;
    lines.push(line);
  }
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    // a reference past the last code point names no character: kept as written rather than failing the document
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
