// What the host suites share: the activated extension's API, the workspace root, and ways to read an answer.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AnswerEvent } from '../../../src/core/events';
import type { GroundedApi } from '../../../src/extension';

/** Activates the installed Grounded (the packaged VSIX) and returns its API. */
export async function activateGrounded(): Promise<GroundedApi> {
  const ext = vscode.extensions.getExtension<GroundedApi>('grounded.grounded');
  assert.ok(ext, 'Grounded is installed');
  return ext.activate();
}

export const workspaceRoot = (): string => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** Every event of an answer, in order (`onEvent` sees each as it arrives). */
export async function collect(events: AsyncIterable<AnswerEvent>, onEvent?: (e: AnswerEvent) => void): Promise<AnswerEvent[]> {
  const out: AnswerEvent[] = [];
  for await (const e of events) {
    out.push(e);
    onEvent?.(e);
  }
  return out;
}

/** The answer's last event (`done` or `error`). */
export async function lastEvent(events: AsyncIterable<AnswerEvent>): Promise<AnswerEvent | undefined> {
  let last: AnswerEvent | undefined;
  for await (const e of events) last = e;
  return last;
}

/** Polls `cond` every `everyMs` until it holds or `ms` have passed; resolves to its last value. */
export async function until(cond: () => boolean, ms = 20_000, everyMs = 50): Promise<boolean> {
  for (let t = 0; t < ms && !cond(); t += everyMs) await new Promise(r => setTimeout(r, everyMs));
  return cond();
}
