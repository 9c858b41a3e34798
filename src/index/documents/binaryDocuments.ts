import type { DocumentExtraction } from './documentCache';
import type { BinaryDocumentKind } from './documents';
import { extractDocx } from './docxDocument';
import { extractPdf } from './pdfDocument';

/**
 * How long one document's extraction may take: a document that takes longer (a huge or pathological file) is
 * skipped as 'extraction-timeout' so it cannot hold up the index.
 */
export const EXTRACTION_TIMEOUT_MS = 30_000;

/**
 * A PDF's or Word document's text, or why it has none. Loads pdf.js at the first PDF and mammoth at the first Word
 * document: only the index worker imports this module, so the extension host's bundles hold no document parser.
 */
export async function extractBinaryDocument(
  kind: BinaryDocumentKind,
  bytes: Uint8Array,
  timeoutMs = EXTRACTION_TIMEOUT_MS,
): Promise<DocumentExtraction> {
  switch (kind) {
    case 'pdf':
      return extractPdf(bytes, timeoutMs);
    case 'docx':
      return extractDocx(bytes, timeoutMs);
  }
}
