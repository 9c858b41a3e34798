// sci-cite: a citation data set of scientific claims over paper abstracts, in the shape of SciFact (a claim as a
// citing sentence would state a finding, SUPPORT or CONTRADICT, its rationale one to three sentences of the
// abstract). The 24 abstracts and 48 claims are invented and written by hand (biomedicine, epidemiology, materials
// science, ecology, computer science; several abstracts on one disease or material, so that a wrong citation has a
// plausible rival). Each abstract is in sciCite/ as a Markdown file, `# Title` then its text wrapped at 100 columns
// as the climate-fever dev set wraps its articles; sciCite/sciCite.jsonl holds one claim a line with its rationale
// sentences, and its gold lines are every line that holds part of one, computed from the sentences' text.
// sci-blind to sci-blind-4: four more such sets in sciBlind/ to sciBlind4/, 30 abstracts and 60 claims each (40
// SUPPORT, 20 CONTRADICT), mostly biomedicine, each written by another hand with no sight of the aligner, its rules or
// its figures: checks that what was chosen on sci-cite holds for abstracts it was not chosen on. The last three have
// JAMA's labels and abstracts set out a paragraph a labelled part. docs/CITATIONS.md says which rules each set had not
// been seen by.
// Usage: node out/test/bench/citations/sciCite.js gold SET   (SET one of SCI_SETS; writes goldLines again from the
// rationale sentences)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const SETS_DIR = resolve(__dirname, '../../../../test/bench/citations');
/** The sets of claims over abstracts: each a folder of abstracts and its claims' file in it. */
export const SCI_SETS = {
  'sci-cite': { folder: 'sciCite', cases: 'sciCite.jsonl' },
  'sci-blind': { folder: 'sciBlind', cases: 'sciBlind.jsonl' },
  'sci-blind-2': { folder: 'sciBlind2', cases: 'sciBlind2.jsonl' },
  'sci-blind-3': { folder: 'sciBlind3', cases: 'sciBlind3.jsonl' },
  'sci-blind-4': { folder: 'sciBlind4', cases: 'sciBlind4.jsonl' },
} as const;
export type SciSet = keyof typeof SCI_SETS;
export const isSciSet = (set: string): set is SciSet => Object.hasOwn(SCI_SETS, set);
/** The folder of the workspace that holds the abstracts: a case's path is `abstracts/<file>.md`. */
const WS_FOLDER = 'abstracts';

const folderOf = (set: SciSet) => join(SETS_DIR, SCI_SETS[set].folder);
const casesFile = (set: SciSet) => join(folderOf(set), SCI_SETS[set].cases);

/** One line of a set's claims file. */
export interface SciCase {
  path: string;
  claim: string;
  label: 'SUPPORT' | 'CONTRADICT';
  /** The sentences of the abstract that support or contradict the claim, as the abstract writes them. */
  rationale: string[];
  goldLines: number[];
}

export function readSciCases(set: SciSet): SciCase[] {
  return readFileSync(casesFile(set), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as SciCase);
}

/** The text of a case's abstract, from the set's folder. */
export function abstractText(set: SciSet, path: string): string {
  if (dirname(path) !== WS_FOLDER) throw new Error(`${path}: not a path under ${WS_FOLDER}/`);
  return readFileSync(join(folderOf(set), basename(path)), 'utf8');
}

/**
 * The 1-based lines of `text` that hold part of `sentence`. Wrapping turned some of the sentence's spaces into line
 * breaks, so it is looked for with every line break read as a space. Throws unless it occurs exactly once.
 */
export function rationaleLines(text: string, sentence: string): number[] {
  const flat = text.replace(/\n/g, ' ');
  const at = flat.indexOf(sentence);
  if (at < 0) throw new Error(`not found: ${sentence}`);
  if (flat.indexOf(sentence, at + 1) >= 0) throw new Error(`found more than once: ${sentence}`);
  const first = lineAt(text, at);
  const last = lineAt(text, at + sentence.length - 1);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The 1-based line that holds the character at `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Every line of the case's rationale sentences, in order. */
export function goldLinesOf(set: SciSet, c: SciCase): number[] {
  const text = abstractText(set, c.path);
  return [...new Set(c.rationale.flatMap(s => rationaleLines(text, s)))].sort((a, b) => a - b);
}

/** Writes the set into `dir` in the layout of ../shared/eval: ws/abstracts/<file>.md and cases.jsonl. */
export function writeSciSet(set: SciSet, dir: string): { cases: number; skipped: string[] } {
  const cases = readSciCases(set);
  for (const path of new Set(cases.map(c => c.path))) {
    const target = join(dir, 'ws', path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, abstractText(set, path));
  }
  const out = cases.map((c, i) =>
    JSON.stringify({ id: `${i + 1}:${c.path}`, claim: c.claim, path: c.path, label: c.label, goldLines: c.goldLines }),
  );
  writeFileSync(join(dir, 'cases.jsonl'), out.map(l => `${l}\n`).join(''));
  return { cases: out.length, skipped: [] };
}

if (require.main === module) {
  const set = process.argv[3] ?? '';
  if (process.argv[2] !== 'gold' || !isSciSet(set)) {
    console.error(`usage: node out/test/bench/citations/sciCite.js gold ${Object.keys(SCI_SETS).join('|')}`);
    process.exit(2);
  }
  const cases = readSciCases(set).map(c => ({ ...c, goldLines: goldLinesOf(set, c) }));
  writeFileSync(casesFile(set), cases.map(c => `${JSON.stringify(c)}\n`).join(''));
  console.log(`${cases.length} cases: gold lines written from their rationale sentences in ${casesFile(set)}`);
}
