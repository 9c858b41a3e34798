// What the host suites share: the activated extension's API, the workspace root, an answer's last event and how long
// to wait for the host (`collect` and `until` come from test/support, shared with the unit tests).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AnswerEvent } from '../../../src/core/events';
import type { GroundedApi } from '../../../src/extension';
import type { UntilOptions } from '../../support/until';

/** Activates the installed Grounded (the packaged VSIX) and returns its API. */
export async function activateGrounded(): Promise<GroundedApi> {
  const ext = vscode.extensions.getExtension<GroundedApi>('grounded.grounded');
  assert.ok(ext, 'Grounded is installed');
  return ext.activate();
}

export const workspaceRoot = (): string => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** The answer's last event (`done` or `error`). */
export async function lastEvent(events: AsyncIterable<AnswerEvent>): Promise<AnswerEvent | undefined> {
  let last: AnswerEvent | undefined;
  for await (const e of events) last = e;
  return last;
}

/** How long a host test waits for the extension host to catch up (`until(cond, HOST_WAIT)`): it is slow on a busy machine. */
export const HOST_WAIT: UntilOptions = { ms: 20_000, everyMs: 50 };
