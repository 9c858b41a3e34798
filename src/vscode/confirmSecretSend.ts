import * as vscode from 'vscode';
import type { ConfirmSend } from '../providers/secretOrigin';

/**
 * Asks, in a modal warning, before a stored secret goes to a server it was not entered for. Yes binds it there
 * (Grounded then sends it without asking); Cancel fails the request with a message saying the secret was not sent.
 */
export const confirmSecretSend: ConfirmSend = async (use, boundTo) => {
  const send = vscode.l10n.t('Send to {0}', use.origin);
  const before = boundTo.length
    ? vscode.l10n.t('It was set for {0}.', boundTo.join(', '))
    : vscode.l10n.t('It was stored before Grounded kept which servers a secret is for.');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Send {0} to {1}?', use.name, use.origin),
    {
      modal: true,
      detail: vscode.l10n.t(
        '{0} {1} names {2}. Send it only if you trust that server: Grounded will then send it there without asking again.',
        before,
        use.setting,
        use.origin,
      ),
    },
    send,
  );
  return choice === send;
};
