import * as vscode from 'vscode';
import {
  ONBOARDING_CONTEXT,
  WALKTHROUGH_ID,
  WALKTHROUGH_STEP,
  type OnboardingEvent,
} from '../shared/onboardingContext';

/** The values set in this window, so that repeating an event does not call setContext again. */
const current = new Map<OnboardingEvent, boolean>();

/**
 * Sets one of the onboarding context keys (a no-op when it already has that value) and, when it becomes true, marks
 * the walkthrough step it completes as done (see WALKTHROUGH_STEP for why the context key alone does not).
 */
export function setOnboardingContext(event: OnboardingEvent, value = true): void {
  if (current.get(event) === value) return;
  current.set(event, value);
  void vscode.commands.executeCommand('setContext', ONBOARDING_CONTEXT[event], value);
  const step = WALKTHROUGH_STEP[event];
  // a VS Code without walkthroughs has no such command: the step then has nowhere to show
  if (value && step)
    void Promise.resolve(vscode.commands.executeCommand('welcome.markStepComplete', step)).catch(() => {});
}

/**
 * The Get Started view (an empty tree whose viewsWelcome content holds the buttons: VS Code shows welcome content
 * only in tree views, never over a webview view such as the panel), *Try @grounded in Chat* and *Get Started*.
 */
export function registerOnboarding(): vscode.Disposable[] {
  return [
    vscode.window.registerTreeDataProvider<never>('grounded.welcome', {
      getTreeItem: item => item,
      getChildren: () => [],
    }),
    vscode.commands.registerCommand('grounded.tryInChat', tryInChat),
    vscode.commands.registerCommand('grounded.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
    ),
  ];
}

/** Opens the chat view with `@grounded ` typed, for the user to finish the question; the panel when chat is missing. */
async function tryInChat(): Promise<void> {
  try {
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: '@grounded ', isPartialQuery: true });
  } catch {
    const ask = vscode.l10n.t('Ask in the Panel');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Chat is not available in this VS Code. Ask in the Grounded panel instead: it answers with citations too.',
      ),
      ask,
    );
    if (choice === ask) await vscode.commands.executeCommand('grounded.ask');
  }
}
