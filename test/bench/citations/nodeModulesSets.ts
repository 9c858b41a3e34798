// Two more citation data sets, from other domains than the climate-fever dev set, built from files the project's own
// dependencies install, so that nothing is copied into the repository:
// - docs-cite (docsCite.jsonl): 64 claims over twelve READMEs (prose, option lists, tables, a few code comments);
// - code-cite (codeCite.jsonl): 48 claims over ten JavaScript source files (defaults, errors, edge cases, fallbacks).
// Each claim is one sentence written by hand as an assistant would answer, paraphrasing one fact that one to six
// lines of the file state; its gold lines are the ones a reviewer would highlight (for code, the code lines, not a
// comment that says the same). `materialise` copies the files from node_modules into a folder in the layout of
// ../shared/eval (ws/ and cases.jsonl), so run.mjs and the bench read them as they read the dev set.
// Usage: node out/test/bench/citations/nodeModulesSets.js docs-cite|code-cite DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

export const NODE_MODULES_SETS = {
  'docs-cite': 'test/bench/citations/docsCite.jsonl',
  'code-cite': 'test/bench/citations/codeCite.jsonl',
} as const;
export type NodeModulesSet = keyof typeof NODE_MODULES_SETS;

/** One line of a set's .jsonl: the file under node_modules, its path in the workspace, the claim, its lines. */
interface SetCase {
  source: string;
  path: string;
  claim: string;
  goldLines: number[];
  /** The first gold line's text, trimmed: finds the lines again when a new version of the package moved them. */
  goldText: string;
}

/**
 * Writes the set into `dir`: ws/<path> for every file and cases.jsonl. A case whose file is not installed, or whose
 * first gold line's text is gone from it, is left out and named in `skipped`.
 */
export function materialise(set: NodeModulesSet, dir: string): { cases: number; skipped: string[] } {
  const cases = readFileSync(join(ROOT, NODE_MODULES_SETS[set]), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as SetCase);
  const files = new Map<string, string[] | undefined>();
  const out: string[] = [];
  const skipped: string[] = [];
  cases.forEach((c, i) => {
    if (!files.has(c.path)) {
      let text: string | undefined;
      try {
        text = readFileSync(join(ROOT, 'node_modules', c.source), 'utf8');
        mkdirSync(dirname(join(dir, 'ws', c.path)), { recursive: true });
        writeFileSync(join(dir, 'ws', c.path), text);
      } catch {
        text = undefined;
      }
      files.set(c.path, text?.split('\n'));
    }
    const lines = files.get(c.path);
    const first = c.goldLines[0] ?? 0;
    const found =
      lines?.[first - 1]?.trim() === c.goldText ? first : (lines?.findIndex(l => l.trim() === c.goldText) ?? -1) + 1;
    if (found === 0) {
      skipped.push(`${c.source}: ${c.claim}`);
      return;
    }
    const goldLines = c.goldLines.map(l => l + found - first);
    out.push(JSON.stringify({ id: `${i + 1}:${c.path}`, claim: c.claim, path: c.path, label: 'SUPPORT', goldLines }));
  });
  writeFileSync(join(dir, 'cases.jsonl'), out.map(l => `${l}\n`).join(''));
  return { cases: out.length, skipped };
}

if (require.main === module) {
  const [set, dir] = process.argv.slice(2);
  if (!dir || !(set && set in NODE_MODULES_SETS)) {
    console.error('usage: node out/test/bench/citations/nodeModulesSets.js docs-cite|code-cite DIR');
    process.exit(2);
  }
  const { cases, skipped } = materialise(set as NodeModulesSet, dir);
  console.log(`${cases} cases in ${dir}${skipped.length ? `; left out (file changed): ${skipped.join(' | ')}` : ''}`);
}
