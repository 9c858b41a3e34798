import * as vscode from 'vscode';
import type { CitationCheck } from '../core/citations/resolve';
import type { AskOptions } from '../core/options';

/** The `grounded.*` settings that shape an answer, read fresh for every question. */
export function askOptionsFromSettings(): Partial<AskOptions> {
  const c = vscode.workspace.getConfiguration('grounded');
  return {
    grading: c.get<boolean>('grading', true),
    maxRewrites: clampInt(c.get<number>('maxRewrites', 1), 0, 3),
    k: clampInt(c.get<number>('retrieval.topK', 8), 1, 50),
    citationCheck: citationCheck(c.get<string>('citations.check', 'lexical')),
  };
}

/**
 * The workspace folders on this machine's disk, which the index walks and reads. A folder of another scheme (a
 * remote or virtual file system's, `ssh://host/`) is left out: its `fsPath` names a local path that is not that folder
 * (`/` for a remote root), and nothing outside the workspace folders may be read.
 */
export const diskFolders = (): vscode.WorkspaceFolder[] =>
  (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file');

/** `files.exclude` patterns that are switched on, for discovery. */
export function filesExclude(folder: vscode.WorkspaceFolder): string[] {
  const exclude = vscode.workspace.getConfiguration('files', folder.uri).get<Record<string, unknown>>('exclude', {});
  return Object.entries(exclude)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}

const citationCheck = (value: string): CitationCheck => (value === 'model' || value === 'off' ? value : 'lexical');

const clampInt = (n: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Math.round(Number.isFinite(n) ? n : lo)));
