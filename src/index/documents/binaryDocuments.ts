import type { DocumentExtraction } from './documentCache';
import { EXTRACTION_TIMEOUT_MS, type BinaryDocumentKind } from './documents';
import { extractDocx } from './docxDocument';
import { extractPdf } from './pdfDocument';

/**
 * A PDF's or Word document's text, or why it has none. Loads pdf.js at the first PDF and mammoth at the first Word
 * document: only the document extractor thread imports this module (src/index/build/documentExtractor.ts), so no
 * other bundle holds a document parser.
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
