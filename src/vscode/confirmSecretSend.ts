import * as vscode from 'vscode';
import type { ConfirmSend } from '../providers/secretOrigin';

/**
 * Asks, in a modal warning, before a stored secret goes to a server it was not entered for. Yes binds it there
 * (Grounded then sends it without asking); Cancel fails the request with a message saying the secret was not sent.
 */
export const confirmSecretSend: ConfirmSend = async (use, boundTo) => {
  const send = `Send to ${use.origin}`;
  const before = boundTo.length
    ? `It was set for ${boundTo.join(', ')}.`
    : 'It was stored before Grounded kept which servers a secret is for.';
  const choice = await vscode.window.showWarningMessage(
    `Send ${use.name} to ${use.origin}?`,
    {
      modal: true,
      detail: `${before} ${use.setting} names ${use.origin}. Send it only if you trust that server: Grounded will then send it there without asking again.`,
    },
    send,
  );
  return choice === send;
};
