import * as vscode from 'vscode';
import type { AnswerEvent } from '../core/events';
import type { Passage } from '../core/passage';

/** The notebook VS Code has loaded at a file's URI, if it has. */
export function loadedNotebook(uri: vscode.Uri): vscode.NotebookDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.notebookDocuments.find(n => n.uri.toString() === key);
}

/**
 * The answer's events, unchanged, once the notebooks its sources are cells of are loaded (not shown): a chat anchor
 * names a cell by its document's URI, which only a loaded notebook gives.
 */
export async function* withNotebooksLoaded(
  events: AsyncIterable<AnswerEvent>,
  uriOf: (p: Passage) => vscode.Uri,
): AsyncIterable<AnswerEvent> {
  for await (const event of events) {
    if (event.type === 'sources') {
      const notebooks = new Map(event.sources.filter(p => p.cell !== undefined).map(p => [p.location, uriOf(p)]));
      await Promise.all(
        [...notebooks.values()].map(uri => vscode.workspace.openNotebookDocument(uri).then(undefined, () => undefined)),
      );
    }
    yield event;
  }
}
