/** A remote row left out of the results, and why. */
export interface RefusedPath {
  path: string;
  reason: string;
  /** The row's id, when it has one (a row found by two rankings is counted once). */
  id?: string;
}

/** An http(s) URL: cited as is, and opened in the browser. */
export const isWebUrl = (path: string): boolean => /^https?:\/\/[^/\\\s]/i.test(path);

/**
 * Why a path from a remote index may not be cited, or undefined when it may. A row's path becomes a link the
 * user opens, so a row that anyone who can write the index controls must stay inside the workspace: an http(s)
 * URL, or a relative path without `..`. Absolute paths (posix, `C:\`, `\\server`) and other schemes
 * (`file:`, `command:`, `vscode:`) are refused.
 */
export function uncitablePathReason(path: string): string | undefined {
  if (path.trim() === '') return 'no path';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control characters in the path';
  if (isWebUrl(path)) return undefined;
  if (/^[a-z]:/i.test(path)) return 'an absolute Windows path';
  if (/^[a-z][a-z0-9+.-]*:/i.test(path))
    return `the scheme ${path.slice(0, path.indexOf(':') + 1)} (only http and https links are cited)`;
  if (/^[\\/]/.test(path)) return 'an absolute path';
  if (path.split(/[\\/]/).includes('..')) return 'a “..” segment, which leaves the workspace';
  return undefined;
}

/** One log line for the rows a search left out: how many, and the first one's path and reason. */
export function refusedRowsNotice(source: string, refused: readonly RefusedPath[]): string {
  const first = refused[0];
  const example = first ? ` (for example “${first.path.slice(0, 200)}”: ${first.reason})` : '';
  const rows = refused.length === 1 ? '1 row was' : `${refused.length} rows were`;
  return `${source}: ${rows} left out because their paths point outside the workspace${example}.`;
}
