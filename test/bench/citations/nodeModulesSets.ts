// Two more citation data sets, from other domains than the climate-fever dev set, built from files the project's own
// dependencies install, so that nothing is copied into the repository:
// - docs-cite (docsCite.jsonl): 64 claims over twelve READMEs (prose, option lists, tables, a few code comments);
// - code-cite (codeCite.jsonl): 48 claims over ten JavaScript source files (defaults, errors, edge cases, fallbacks).
// Each claim is one sentence written by hand as an assistant would answer, paraphrasing one fact that one to six
// lines of the file state; its gold lines are the ones a reviewer would highlight (for code, the code lines, not a
// comment that says the same). `materialise` copies the files from node_modules into a folder in the layout of
// ../shared/eval (ws/ and cases.jsonl), so run.mjs and the bench read them as they read the dev set. `materialise`
// writes the sets over invented paper abstracts kept in the repository too, sci-cite and sci-blind (sciCite.ts), so
// that the bench and run.mjs reach every hand-written set the same way.
// Usage: node out/test/bench/citations/nodeModulesSets.js docs-cite|code-cite|sci-cite|sci-blind DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isSciSet, SCI_SETS, writeSciSet, type SciSet } from './sciCite';

const ROOT = resolve(__dirname, '../../../..');

export const NODE_MODULES_SETS = {
  'docs-cite': 'test/bench/citations/docsCite.jsonl',
  'code-cite': 'test/bench/citations/codeCite.jsonl',
} as const;
export type NodeModulesSet = keyof typeof NODE_MODULES_SETS;
/** Every set `materialise` writes: the two from node_modules and the two over abstracts. */
export const CITATION_SETS = [
  ...(Object.keys(NODE_MODULES_SETS) as NodeModulesSet[]),
  ...(Object.keys(SCI_SETS) as SciSet[]),
] as const;
export type CitationSet = NodeModulesSet | SciSet;

/** One line of a set's .jsonl: the file under node_modules, its path in the workspace, the claim, its lines. */
interface SetCase {
  source: string;
  path: string;
  claim: string;
  goldLines: number[];
  /** Each gold line's text, trimmed: finds the lines again when a new version of the package moved them. */
  goldText: string[];
}

/**
 * Writes the set into `dir`: ws/<path> for every file and cases.jsonl. For the sets from node_modules, a case whose
 * file is not installed, or whose gold lines' text is not found again as one run at the same distances, is left out
 * and named in `skipped`; of several such runs, the one nearest the recorded lines is taken.
 */
export function materialise(set: CitationSet, dir: string): { cases: number; skipped: string[] } {
  mkdirSync(dir, { recursive: true });
  if (isSciSet(set)) return writeSciSet(set, dir);
  const cases = readFileSync(join(ROOT, NODE_MODULES_SETS[set]), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as SetCase);
  const files = new Map<string, string[] | undefined>();
  const out: string[] = [];
  const skipped: string[] = [];
  cases.forEach((c, i) => {
    if (!files.has(c.path)) files.set(c.path, copied(c, dir));
    const lines = files.get(c.path);
    if (!lines) {
      skipped.push(`${c.source} is not installed: ${c.claim}`);
      return;
    }
    const shift = goldShift(c, lines);
    if (shift === undefined) {
      skipped.push(`${c.source} no longer holds the lines: ${c.claim}`);
      return;
    }
    const goldLines = c.goldLines.map(l => l + shift);
    out.push(JSON.stringify({ id: `${i + 1}:${c.path}`, claim: c.claim, path: c.path, label: 'SUPPORT', goldLines }));
  });
  writeFileSync(join(dir, 'cases.jsonl'), out.map(l => `${l}\n`).join(''));
  return { cases: out.length, skipped };
}

/** Copies the case's file from node_modules into the workspace; its lines, or undefined when it is not installed. */
function copied(c: SetCase, dir: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(ROOT, 'node_modules', c.source), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (isAbsolute(c.path) || c.path.split('/').includes('..')) throw new Error(`${c.path}: not a path inside the set`);
  const target = join(dir, 'ws', c.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  return text.split('\n');
}

/** How far the gold lines moved: the shift nearest 0 at which every gold line's text is found; undefined if none. */
function goldShift(c: SetCase, lines: readonly string[]): number | undefined {
  const first = c.goldLines[0] ?? 1;
  let best: number | undefined;
  lines.forEach((line, i) => {
    if (line.trim() !== c.goldText[0]) return;
    const shift = i + 1 - first;
    if (c.goldLines.some((l, k) => lines[l + shift - 1]?.trim() !== c.goldText[k])) return;
    if (best === undefined || Math.abs(shift) < Math.abs(best)) best = shift;
  });
  return best;
}

if (require.main === module) {
  const [set, dir] = process.argv.slice(2);
  if (!dir || !CITATION_SETS.includes(set as CitationSet)) {
    console.error(`usage: node out/test/bench/citations/nodeModulesSets.js ${CITATION_SETS.join('|')} DIR`);
    process.exit(2);
  }
  const { cases, skipped } = materialise(set as CitationSet, dir);
  console.log(`${cases} cases in ${dir}${skipped.length ? `; left out (file changed): ${skipped.join(' | ')}` : ''}`);
}
