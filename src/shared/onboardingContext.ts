/**
 * Context keys for the first hour: the Get Started view shows while the panel's conversation is empty, and each
 * walkthrough step completes on the event it teaches (`onContext:` in package.json's walkthroughs).
 */
export const ONBOARDING_CONTEXT = {
  /** The panel holds at least one turn (the Get Started view hides). */
  hasConversation: 'grounded.hasConversation',
  /** The workspace index has been built or loaded once. */
  indexReady: 'grounded.indexReady',
  /** A question was asked, in chat or in the panel. */
  hasAsked: 'grounded.hasAsked',
  /** A citation was opened from the panel. */
  openedCitation: 'grounded.openedCitation',
} as const;

export type OnboardingEvent = keyof typeof ONBOARDING_CONTEXT;

/** The walkthrough's id as `workbench.action.openWalkthrough` takes it: `publisher.name#id`. */
export const WALKTHROUGH_ID = 'grounded.grounded#gettingStarted';

/**
 * The walkthrough step each event completes, as `welcome.markStepComplete` takes it (`publisher.name#id#step`).
 * VS Code's walkthrough service starts when a walkthrough is first shown, and a context key that is already set then
 * never completes its `onContext:` step in that window, so the event also marks its step complete directly.
 */
export const WALKTHROUGH_STEP: Partial<Record<OnboardingEvent, string>> = {
  indexReady: `${WALKTHROUGH_ID}#indexWorkspace`,
  hasAsked: `${WALKTHROUGH_ID}#ask`,
  openedCitation: `${WALKTHROUGH_ID}#readCitation`,
};
