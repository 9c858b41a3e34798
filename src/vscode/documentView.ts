import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Passage } from '../core/passage';
import { binaryDocumentKind, cachedExtraction, hashBytes, MAX_DOCUMENT_BYTES_LIMIT, type SkipReason } from '../index';
import { realPathInside } from '../retrievers/realPathInside';
import { extractedTextView } from './extractedTextView';

/** The scheme of the read-only views of PDFs' and Word documents' extracted text. */
export const DOCUMENT_SCHEME = 'grounded-document';

/** Whether a passage is in a PDF or a Word document, whose lines are lines of a view of its extracted text. */
export const isExtractedDocument = (p: Pick<Passage, 'path'>): boolean => binaryDocumentKind(p.path) !== undefined;

/**
 * The view of a document's extracted text (a PDF's: one page's): the file's own path, so its tab is titled with the
 * file's name, in DOCUMENT_SCHEME, the page in the query.
 */
export function extractedTextUri(p: Pick<Passage, 'location' | 'page'>): vscode.Uri {
  const file = vscode.Uri.file(p.location);
  return file.with({ scheme: DOCUMENT_SCHEME, query: p.page === undefined ? '' : `page=${p.page}` });
}

/** The original file of a view of its text. */
export const originalFileUri = (view: vscode.Uri): vscode.Uri => view.with({ scheme: 'file', query: '' });

/**
 * Serves the views: the file's text as the index worker extracted it, read from the document cache by the hash of
 * the file's bytes as they are now (never extracted here, on the extension host). A document not in the cache (not
 * indexed yet, or changed since) gets a sentence that says so; one whose real path is outside the workspace folders
 * is not read. VS Code keeps an open view's text and opens it again as it is: `refresh` has every open view read
 * again, so a view shows what the index holds now.
 */
export class ExtractedTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly documentCache: () => string | undefined) {}

  /** Has VS Code read every open view again (the index changed: a document's text may be new, or cached now). */
  refresh(): void {
    for (const doc of vscode.workspace.textDocuments)
      if (doc.uri.scheme === DOCUMENT_SCHEME) this.changed.fire(doc.uri);
  }

  dispose(): void {
    this.changed.dispose();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = originalFileUri(uri);
    const name = basename(file.fsPath);
    const kind = binaryDocumentKind(file.fsPath);
    const cache = this.documentCache();
    // read from its real path, and only while that lies in a workspace folder: the view of a document swapped for a
    // link leading out since it was cited (a restored tab, an old chat anchor) reads nothing outside them
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter(f => f.uri.scheme === 'file')
      .map(f => f.uri.fsPath);
    const real = await realPathInside(file.fsPath, folders);
    const original = real === undefined ? undefined : vscode.Uri.file(real);
    // the index reads no document larger than this, so none is in the cache; reading and hashing the file to find
    // that out would hold the extension host for as long as that takes
    const size =
      original &&
      (await vscode.workspace.fs.stat(original).then(
        s => s.size,
        () => undefined,
      ));
    if (kind && size !== undefined && size > MAX_DOCUMENT_BYTES_LIMIT) return noText(name, 'too-large');
    const bytes =
      original &&
      (await vscode.workspace.fs.readFile(original).then(
        b => b,
        () => undefined,
      ));
    if (!kind || !bytes) return vscode.l10n.t('{0} cannot be read.', name);
    const extraction = cache ? await cachedExtraction(cache, kind, hashBytes(bytes)) : undefined;
    // the index read these bytes and found no text in them: waiting or rebuilding would find none either
    if (extraction?.kind === 'skip') return noText(name, extraction.reason);
    if (!extraction)
      return vscode.l10n.t(
        '{0} is not indexed as it is now. Wait for the index to update (or run Grounded: Rebuild Index), then open the citation again.',
        name,
      );
    const page = /(?:^|&)page=(\d+)/.exec(uri.query)?.[1];
    return (
      extractedTextView(extraction.document, name, page === undefined ? undefined : Number(page)) ??
      vscode.l10n.t('{0} has no text on page {1}.', name, String(page))
    );
  }
}

/** The view's text for a document whose bytes as they are now give no text, and why. */
function noText(name: string, reason: SkipReason): string {
  return vscode.l10n.t('{0} gives no text to read as it is now: {1}.', name, skipWords(reason));
}

/** Why a document's bytes give no text, in words (the reasons the index worker's extraction gives). */
function skipWords(reason: SkipReason): string {
  switch (reason) {
    case 'encrypted':
      return vscode.l10n.t('it needs a password');
    case 'no-text-layer':
      return vscode.l10n.t('it holds no text, only images (a scan)');
    case 'malformed':
      return vscode.l10n.t('it is damaged and cannot be parsed');
    case 'too-large':
      return vscode.l10n.t('it is too large to read');
    default:
      return vscode.l10n.t('it cannot be read ({0})', reason);
  }
}

/**
 * The provider, its views read again whenever the index changes, and the command (an editor title button on a view)
 * that opens the original file in its own app.
 */
export function registerExtractedTextViews(
  documentCache: () => string | undefined,
  indexChanged: vscode.Event<void>,
): vscode.Disposable[] {
  const provider = new ExtractedTextProvider(documentCache);
  return [
    provider,
    indexChanged(() => provider.refresh()),
    vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, provider),
    vscode.commands.registerCommand('grounded.openOriginalDocument', async (uri?: vscode.Uri) => {
      const view = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (view?.scheme !== DOCUMENT_SCHEME) return false;
      const file = originalFileUri(view);
      const real = await openableOriginal(file.fsPath);
      if (real === undefined) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t(
            '{0} is not a PDF or Word document in the workspace folders, so Grounded does not open it.',
            basename(file.fsPath),
          ),
        );
        return false;
      }
      return vscode.env.openExternal(vscode.Uri.file(real));
    }),
  ];
}

/**
 * The real path of a view's original file when the system's app for it may open it: a PDF or Word document (by its
 * own name and its real path's) whose real path lies in a workspace folder. A view's URI can name any path (a link in
 * a Markdown file, a restored tab), and the system opens a file by its kind: a program or a script would run.
 */
async function openableOriginal(location: string): Promise<string | undefined> {
  if (binaryDocumentKind(location) === undefined) return undefined;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file').map(f => f.uri.fsPath);
  const real = await realPathInside(location, folders);
  return real !== undefined && binaryDocumentKind(real) !== undefined ? real : undefined;
}
