// Line-exact, checked citations: what each [n] costs as the answer streams (alignment in its passage and checking
// against the other sources) for passages of 20, 200 and 2,000 lines; time to first token and to the end with
// checking off, lexical and by the model; and the quality figures of the climate-fever-cite dev set and of docs-cite,
// code-cite, sci-cite and sci-blind 1 to 4 (claims over READMEs and source files in node_modules and over
// invented paper abstracts, citations/nodeModulesSets.ts and citations/sciCite.ts), in-process.
// Reports only: no pass/fail. `npm run bench -- citations [--quick] [--json]`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CitationCheck } from '../../src/core/citations/resolve';
import { random } from '../fakes/seededRandom';
import type { Bench, BenchTable } from './benchTypes';
import { citationCost, SOURCES, type CitationCost } from './citations/citationCost';
import { DevSet, readCases, type DevFigures } from './citations/devSet';
import { materialise, type CitationSet } from './citations/nodeModulesSets';
import { askTimes, CHECKS, type AskTimes } from './citations/firstToken';
import { claimFrom, codeText, indexWeights, passageOf, proseText, Vocabulary } from './citations/syntheticText';
import { fmt, percentile } from './index/measure';

const SIZES = [20, 200, 2000];
/** The target: p95 per citation at 200 lines. */
const TARGET_LINES = 200;
const TARGET_MS = 1;
const DEV_SET = resolve(__dirname, '../../../../shared/eval/climate-fever-cite');
const DEV_PREFIX = 400;

export const run: Bench = async ({ quick }) => {
  const rand = random(18);
  const v = new Vocabulary(rand);
  const weight = indexWeights(v, rand, 400);

  const trials = (lines: number) => (lines >= 2000 ? (quick ? 20 : 60) : quick ? 100 : 400);
  const load = loadavg()[0] ?? NaN;
  const costs = SIZES.map(lines => ({
    lines,
    citations: trials(lines),
    cost: citationCost(lines, trials(lines), v, rand, weight),
  }));

  const rounds = quick ? 15 : 60;
  const sources = Array.from({ length: SOURCES }, (_, i) =>
    i % 2 === 0
      ? passageOf(`docs/guide${i}.md`, proseText(v, rand, TARGET_LINES))
      : passageOf(`src/module${i}.ts`, codeText(v, rand, TARGET_LINES)),
  );
  const answer = [1, 4, 2, 5]
    .map(n => {
      const claim = claimFrom(sources[n - 1] ?? (sources[0] as (typeof sources)[number]), v, rand);
      return `${claim[0]?.toUpperCase() ?? ''}${claim.slice(1)} [${n}].`;
    })
    .join(' ');
  const withIndex = await askTimes(sources, answer, weight, rounds);
  const withoutIndex = await askTimes(sources, answer, undefined, rounds);

  const dev = existsSync(resolve(DEV_SET, 'cases.jsonl')) ? await devFigures() : undefined;
  const docs = await setFigures('docs-cite');
  const code = await setFigures('code-cite');
  const sci = await setFigures('sci-cite');
  const sciBlind = await setFigures('sci-blind');
  const sciBlind2 = await setFigures('sci-blind-2');
  const sciBlind3 = await setFigures('sci-blind-3');
  const sciBlind4 = await setFigures('sci-blind-4');

  const p = (xs: number[], q: number) => percentile(xs, q);
  const ms = (xs: number[], q: number) => fmt(p(xs, q), 3);
  const met = (x: number) => (x <= TARGET_MS ? `${fmt(x, 3)} met` : `${fmt(x, 3)} missed`);
  const atTarget = costs.find(c => c.lines === TARGET_LINES)?.cost as CitationCost;
  const citations = withIndex.off.citations;
  const tables: BenchTable[] = [
    {
      title: `Cost per citation: CitationResolver.resolve over ${SOURCES} sources (3 prose, 3 code) of each size (ms; load average ${fmt(load, 1)} on ${availableParallelism()} cores). First touch: passages not split before (an answer's first citation); warm: already split (every later one)`,
      columns: [
        'sources of',
        'citations',
        'first touch p50',
        'first touch p95',
        'warm p50',
        'warm p95',
        'warm, check off p50',
        'warm, check off p95',
      ],
      rows: [
        ...costs.map(({ lines, citations: n, cost }) => [
          `${lines.toLocaleString('en-US')} lines`,
          n,
          ms(cost.firstTouch, 50),
          ms(cost.firstTouch, 95),
          ms(cost.warm, 50),
          ms(cost.warm, 95),
          ms(cost.warmUnchecked, 50),
          ms(cost.warmUnchecked, 95),
        ]),
        [
          `target: p95 ≤ ${TARGET_MS} ms at ${TARGET_LINES} lines`,
          '',
          '',
          met(p(atTarget.firstTouch, 95)),
          '',
          met(p(atTarget.warm, 95)),
          '',
          '',
        ],
      ],
    },
    {
      title: `Time to first token and to the end, ask() with grading off over ${SOURCES} sources of ${TARGET_LINES} lines, ${citations} citations per answer, scripted model streaming 3 words a token (${rounds} answers each, ms)`,
      columns: [
        'citationCheck',
        'retriever IDF',
        'first token p50',
        'first token p95',
        'vs off p50',
        'vs off p95',
        'total p50',
        'total p95',
        'total vs off p50',
      ],
      rows: [...askRows(withIndex, 'local index'), ...askRows(withoutIndex, 'none (remote)')],
    },
  ];
  const cases = (d: DevFigures) => `all ${d.cases.toLocaleString('en-US')} cases`;
  if (dev)
    tables.push(
      qualityTable(
        'climate-fever-cite dev set (as ../shared/eval/citations/run.mjs scores it, in-process; model cite and cite-wrong)',
        [
          [`first ${dev.prefix.cases.toLocaleString('en-US')} cases`, dev.prefix],
          [cases(dev.all), dev.all],
        ],
      ),
    );
  else console.error(`\nDev set skipped: ${DEV_SET} is absent.`);
  tables.push(
    qualityTable(
      'docs-cite, code-cite, sci-cite and sci-blind 1 to 4: hand-written claims over twelve READMEs and ten source files in node_modules and over 24 and four times 30 invented paper abstracts, the last four written with no sight of the aligner (test/bench/citations/nodeModulesSets.ts, sciCite.ts), scored as run.mjs scores them',
      [
        [`docs-cite, ${cases(docs)}`, docs],
        [`code-cite, ${cases(code)}`, code],
        [`sci-cite, ${cases(sci)}`, sci],
        [`sci-blind, ${cases(sciBlind)}`, sciBlind],
        [`sci-blind-2, ${cases(sciBlind2)}`, sciBlind2],
        [`sci-blind-3, ${cases(sciBlind3)}`, sciBlind3],
        [`sci-blind-4, ${cases(sciBlind4)}`, sciBlind4],
      ],
    ),
  );

  const costJson = Object.fromEntries(
    costs.map(({ lines, cost }) => [
      lines,
      {
        firstTouchP50: p(cost.firstTouch, 50),
        firstTouchP95: p(cost.firstTouch, 95),
        warmP50: p(cost.warm, 50),
        warmP95: p(cost.warm, 95),
        uncheckedP50: p(cost.warmUnchecked, 50),
        uncheckedP95: p(cost.warmUnchecked, 95),
      },
    ]),
  );
  const askJson = (times: Record<CitationCheck, AskTimes>) =>
    Object.fromEntries(
      CHECKS.map(c => [
        c,
        {
          firstP50: p(sorted(times[c].first), 50),
          firstP95: p(sorted(times[c].first), 95),
          totalP50: p(sorted(times[c].total), 50),
          totalP95: p(sorted(times[c].total), 95),
        },
      ]),
    );
  return {
    name: 'citations',
    tables,
    json: {
      quick,
      loadAverage: load,
      perCitationMs: costJson,
      ask: { localIndex: askJson(withIndex), noIndex: askJson(withoutIndex) },
      devSet: dev ?? null,
      docsCite: docs,
      codeCite: code,
      sciCite: sci,
      sciBlind,
      sciBlind2,
      sciBlind3,
      sciBlind4,
    },
  };

  function askRows(times: Record<CitationCheck, AskTimes>, idf: string): (string | number)[][] {
    const off = { first: sorted(times.off.first), total: sorted(times.off.total) };
    return CHECKS.map(check => {
      const first = sorted(times[check].first);
      const total = sorted(times[check].total);
      const diff = (a: number[], b: number[], q: number) => (check === 'off' ? '—' : fmt(p(a, q) - p(b, q), 3));
      return [
        check,
        idf,
        ms(first, 50),
        ms(first, 95),
        diff(first, off.first, 50),
        diff(first, off.first, 95),
        ms(total, 50),
        ms(total, 95),
        diff(total, off.total, 50),
      ];
    });
  }
};

async function devFigures(): Promise<{ prefix: DevFigures; all: DevFigures }> {
  const cases = readCases(DEV_SET);
  const set = new DevSet(DEV_SET);
  try {
    await set.sync();
    return { prefix: await set.figures(cases.slice(0, DEV_PREFIX)), all: await set.figures(cases) };
  } finally {
    set.dispose();
  }
}

/** A hand-written set written into a temporary folder and scored; the folder is removed after. */
async function setFigures(name: CitationSet): Promise<DevFigures> {
  const dir = mkdtempSync(join(tmpdir(), `grounded-${name}-`));
  let set: DevSet | undefined;
  try {
    const { skipped } = materialise(name, dir);
    if (skipped.length > 0) console.error(`\n${name}: ${skipped.length} cases left out:\n  ${skipped.join('\n  ')}`);
    set = new DevSet(dir);
    await set.sync();
    return await set.figures(readCases(dir));
  } finally {
    set?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run.mjs figures of a data set, one column per selection of its cases, against the targets. */
function qualityTable(set: string, selections: [string, DevFigures][]): BenchTable {
  const n = (x: number) => x.toLocaleString('en-US');
  const share = (x: number) => fmt(x, 3);
  const judged = (x: number, ok: boolean) => `${share(x)}${ok ? '' : ' (missed)'}`;
  const row = (figure: string, f: (d: DevFigures) => string, target: string) => [
    figure,
    ...selections.map(([, d]) => f(d)),
    target,
  ];
  return {
    title: `Citation quality, ${set}`,
    columns: ['figure', ...selections.map(([label]) => label), 'target'],
    rows: [
      row('cite: found (evidence retrieved, cited, still cited after checking)', d => n(d.found), ''),
      row('cite: hit (cited lines hold a rationale line)', d => judged(d.hit, d.hit >= 0.7), '≥ 0.70'),
      row('cite: line precision', d => judged(d.lineP, d.lineP >= 0.55), '≥ 0.55'),
      row('cite: line recall', d => share(d.lineR), ''),
      row('cite: mean span (lines)', d => `${fmt(d.span, 2)}${d.span <= 6 ? '' : ' (missed)'}`, '≤ 6'),
      row('cite: right citations flagged', d => judged(d.flagged, d.flagged <= 0.15), '≤ 0.15'),
      row(
        'cite: right citations moved away from the evidence (not in run.mjs)',
        d => `${share(d.movedAway / d.evidenceCited)} (${n(d.movedAway)} of ${n(d.evidenceCited)})`,
        '',
      ),
      row('cite-wrong: found', d => n(d.wrongFound), ''),
      row(
        'cite-wrong: flagged or moved to the evidence',
        d => judged(d.wrongFlaggedOrMoved, d.wrongFlaggedOrMoved >= 0.5),
        '≥ 0.50',
      ),
      row('cite-wrong: of which moved to the evidence', d => share(d.wrongMoved), ''),
    ],
  };
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
