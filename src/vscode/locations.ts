import * as vscode from 'vscode';
import type { Passage } from '../core/passage';

export function passageUri(p: Pick<Passage, 'location'>): vscode.Uri {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p.location) ? vscode.Uri.parse(p.location) : vscode.Uri.file(p.location);
}

/** The passage's exact lines: from the start of its first line to the end of its last. */
export function passageRange(p: Passage): vscode.Range {
  const lastLine = p.text.split('\n').pop() ?? '';
  return new vscode.Range(p.startLine - 1, 0, p.endLine - 1, lastLine.replace(/\r$/, '').length);
}

export function passageLocation(p: Passage): vscode.Location {
  return new vscode.Location(passageUri(p), passageRange(p));
}
