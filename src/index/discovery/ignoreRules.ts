import ignore, { type Ignore } from 'ignore';

/**
 * Whether ignore files match names whatever their case, as git does where it sets `core.ignorecase`: on the
 * case-insensitive file systems of macOS and Windows. Elsewhere `*.s` (generated assembly) leaves `head.S` in.
 */
const IGNORE_FILES_IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

/**
 * The .gitignore/.groundedignore rules in force for one directory tree. Deeper files take precedence over
 * shallower ones (as in git); within one directory, .groundedignore comes after .gitignore so it can re-include
 * (`!dist/`) what git ignores.
 */
export class IgnoreStack {
  private constructor(private readonly levels: readonly { base: string; rules: Ignore }[]) {}

  static empty(): IgnoreStack {
    return new IgnoreStack([]);
  }

  /** A stack with one more level: `contents` are ignore files found in the directory `base` ('' = root, else 'a/b/'). */
  with(base: string, contents: readonly string[]): IgnoreStack {
    if (contents.length === 0) return this;
    return new IgnoreStack([
      ...this.levels,
      { base, rules: ignore({ ignorecase: IGNORE_FILES_IGNORE_CASE }).add(contents.join('\n')) },
    ]);
  }

  /** Whether `path` (relative to the root, POSIX) is ignored; directories are tested as `dir/`. */
  ignores(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const { base, rules } of this.levels) {
      if (!path.startsWith(base)) continue;
      const result = rules.test(path.slice(base.length) + (isDirectory ? '/' : ''));
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}

/**
 * Converts VS Code glob patterns (`files.exclude`, `search.exclude`: `**\/node_modules`, `*.log`, `**\/*.{js,map}`)
 * to gitignore rules. Globs are relative to the folder, so a glob without a slash only matches at the root.
 */
export function globsToIgnoreRules(globs: readonly string[]): string[] {
  return globs.flatMap(expandBraces).flatMap(glob => {
    let rule = glob.trim().replace(/\\/g, '/').replace(/^\.\//, '');
    if (rule === '' || rule === '**') return [];
    if (!rule.replace(/\/+$/, '').includes('/')) rule = '/' + rule;
    if (rule.startsWith('!') || rule.startsWith('#')) rule = '\\' + rule;
    return [rule];
  });
}

/** `a/{b,c}/*.{js,ts}` → four globs. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && --depth === 0) {
      const bounds = [open, ...commas, i];
      const head = glob.slice(0, open);
      const tail = glob.slice(i + 1);
      return bounds.slice(1).flatMap((end, n) => expandBraces(head + glob.slice((bounds[n] ?? open) + 1, end) + tail));
    }
  }
  return [glob];
}

/** Always left out: VS Code's default `files.exclude` and `search.exclude`. */
export const DEFAULT_EXCLUDE_GLOBS: readonly string[] = [
  '**/.git',
  '**/.svn',
  '**/.hg',
  '**/CVS',
  '**/.DS_Store',
  '**/Thumbs.db',
  '**/node_modules',
  '**/bower_components',
  '**/*.code-search',
];

/** Whether a path (relative to its folder, POSIX) is matched; directories are tested as `dir/`. */
export type PathMatcher = (path: string, isDirectory: boolean) => boolean;

/** A matcher for exclude globs: excluded paths stay out even if an ignore file re-includes them. */
export function excludeMatcher(globs: readonly string[]): PathMatcher {
  const rules = ignore().add(globsToIgnoreRules(globs));
  return (path, isDirectory) => rules.ignores(path + (isDirectory ? '/' : ''));
}

/** A matcher for include globs: with none, every file is included. */
export function includeMatcher(globs: readonly string[]): (path: string) => boolean {
  const rules = globsToIgnoreRules(globs);
  if (rules.length === 0) return () => true;
  const matcher = ignore().add(rules);
  return path => matcher.ignores(path);
}
