// Whether the panel follows a streaming answer: it keeps the newest text in view unless the person scrolled up to
// read something earlier; then a "Jump to latest" control brings them back. Pure: positions in, decisions out.

/** Within this many pixels of the end, the newest text counts as in view. */
export const NEAR_END_PX = 32;

/** Where the panel is scrolled: `top` (scrollTop), the visible `viewport` and the whole `height`, in pixels. */
export interface ScrollPosition {
  top: number;
  viewport: number;
  height: number;
}

/** Pixels of the conversation below what is shown. */
export function belowView(p: ScrollPosition): number {
  return Math.max(0, p.height - p.viewport - p.top);
}

/**
 * Whether to keep following after a scroll to `now` from `previousTop`: at the very end, yes (also where the page
 * lands when its content got shorter); moved up, no; moved down to near the end, yes; otherwise as before.
 */
export function followAfterScroll(following: boolean, previousTop: number, now: ScrollPosition): boolean {
  const below = belowView(now);
  if (below <= 1) return true;
  if (now.top < previousTop) return false;
  if (below <= NEAR_END_PX) return true;
  return following;
}

/** "Jump to latest" is offered when the panel does not follow and newer text is out of view. */
export function offerJump(following: boolean, now: ScrollPosition): boolean {
  return !following && belowView(now) > NEAR_END_PX;
}
