import type * as CoreBundle from './coreBundle';

export type Core = typeof CoreBundle;

/**
 * The core (src/vscode/coreBundle.ts), loaded on first use, not at activation: evaluating it is most of the
 * extension's start-up cost, and activation must stay fast for every window that never asks. In the packaged
 * extension this import is left to run as a require() of dist/core.js, the bundle esbuild.mjs builds beside
 * dist/extension.js; Node caches it after the first call.
 */
export const loadCore = (): Promise<Core> => import('./coreBundle.js');
