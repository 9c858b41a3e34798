import * as vscode from 'vscode';
import { fixActions, type GroundedError } from '../core/errors';
import { logFailureOnce } from './failureLog';

export interface FailureNotice {
  /** What failed, for the log line: "connection test", "index rebuild". */
  what: string;
  /** Said before the error's own message: "GPT-4o: ". */
  prefix?: string;
  /** Secret values to keep out of the log line. */
  held?: readonly (string | undefined)[];
}

/**
 * Logs the failure (once, redacted), then shows its message with its fix buttons (*Show Log*, *Open Setting*,
 * *Set API Key*, *Select Model*…) and runs the one picked. Resolves when the notification is dismissed or acted on.
 */
export async function showFailure(
  error: GroundedError,
  log: vscode.LogOutputChannel,
  notice: FailureNotice,
): Promise<void> {
  logFailureOnce(log, notice.what, error, notice.held);
  if (error.kind === 'cancelled') return;
  const actions = fixActions(error);
  const choice = await vscode.window.showErrorMessage(
    `${notice.prefix ?? ''}${error.message}`,
    ...actions.map(a => a.title),
  );
  const action = actions.find(a => a.title === choice);
  if (action) await vscode.commands.executeCommand(action.command, ...(action.arguments ?? []));
}
