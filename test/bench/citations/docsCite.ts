// docs-cite: a second citation data set, from technical documentation rather than Wikipedia. 64 claims written by
// hand, one sentence each as an assistant would answer, each paraphrasing one fact that one of twelve READMEs of the
// project's own dependencies states in one to three lines (prose, list items, table rows, a few code comments).
// The READMEs are not copied into the repository: `materialiseDocsCite` copies them from node_modules into a folder
// in the layout of ../shared/eval (ws/ and cases.jsonl), so run.mjs and the bench read it as they read the dev set.
// Usage: node out/test/bench/citations/docsCite.js DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const CASES = join(ROOT, 'test/bench/citations/docsCite.jsonl');

/** One line of docsCite.jsonl: the claim, its README, and the lines that state it with the first one's text. */
interface DocsCiteCase {
  package: string;
  claim: string;
  goldLines: number[];
  goldText: string;
}

/**
 * Writes the data set into `dir`: ws/docs/<package>.md and cases.jsonl. A README whose installed version moved the
 * lines is followed by the first gold line's text; a case whose text is gone is left out and named in `skipped`.
 */
export function materialiseDocsCite(dir: string): { cases: number; skipped: string[] } {
  const cases = readFileSync(CASES, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as DocsCiteCase);
  mkdirSync(join(dir, 'ws', 'docs'), { recursive: true });
  const readmes = new Map<string, string[] | undefined>();
  const out: string[] = [];
  const skipped: string[] = [];
  cases.forEach((c, i) => {
    if (!readmes.has(c.package)) {
      let text: string | undefined;
      try {
        text = readFileSync(join(ROOT, 'node_modules', c.package, 'README.md'), 'utf8');
        writeFileSync(join(dir, 'ws', 'docs', `${c.package}.md`), text);
      } catch {
        text = undefined;
      }
      readmes.set(c.package, text?.split('\n'));
    }
    const lines = readmes.get(c.package);
    const first = c.goldLines[0] ?? 0;
    const found =
      lines?.[first - 1]?.trim() === c.goldText ? first : (lines?.findIndex(l => l.trim() === c.goldText) ?? -1) + 1;
    if (found === 0) {
      skipped.push(`${c.package}: ${c.claim}`);
      return;
    }
    const path = `docs/${c.package}.md`;
    const goldLines = c.goldLines.map(l => l + found - first);
    out.push(JSON.stringify({ id: `${i + 1}:${path}`, claim: c.claim, path, label: 'SUPPORT', goldLines }));
  });
  writeFileSync(join(dir, 'cases.jsonl'), out.map(l => `${l}\n`).join(''));
  return { cases: out.length, skipped };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node out/test/bench/citations/docsCite.js DIR');
    process.exit(2);
  }
  const { cases, skipped } = materialiseDocsCite(dir);
  console.log(`${cases} cases in ${dir}${skipped.length ? `; left out (README changed): ${skipped.join(' | ')}` : ''}`);
}
