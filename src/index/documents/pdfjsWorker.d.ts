// pdf.js's parser module, which ships without types: only its presence matters (see pdfDocument.ts).
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
