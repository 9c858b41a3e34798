// Why files are left out of the index: the walk, reading and the stored manifest all count skips by these reasons.

/**
 * Why a file was left out (ignore rules and exclude globs are choices, not skips, so they are not counted).
 * 'outside-link': a symlink whose real path is outside every folder (nothing outside the folders is read).
 * 'file-limit': a file found after the walk reached `maxFiles`.
 * 'encrypted', 'no-text-layer', 'malformed', 'extraction-timeout', 'extraction-failed': a PDF or Word document that
 * gives no text: it needs a password, has only images (a scan), cannot be parsed, took longer than the extraction
 * time cap, or its extraction ran out of memory or crashed.
 * New reasons go last: a stored index names a file's reason by its place in SKIP_REASONS.
 */
export type SkipReason =
  | 'binary'
  | 'too-large'
  | 'minified'
  | 'unreadable'
  | 'symlink-loop'
  | 'outside-link'
  | 'file-limit'
  | 'encrypted'
  | 'no-text-layer'
  | 'malformed'
  | 'extraction-timeout'
  | 'extraction-failed';

export const SKIP_REASONS: readonly SkipReason[] = [
  'binary',
  'too-large',
  'minified',
  'unreadable',
  'symlink-loop',
  'outside-link',
  'file-limit',
  'encrypted',
  'no-text-layer',
  'malformed',
  'extraction-timeout',
  'extraction-failed',
];

/** A count of 0 for every reason. */
export const emptySkipCounts = (): Record<SkipReason, number> =>
  Object.fromEntries(SKIP_REASONS.map(r => [r, 0])) as Record<SkipReason, number>;
