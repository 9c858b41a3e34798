import assert from 'node:assert/strict';
import { analysePassage, splitUnits } from '../../../src/core/citations/passageUnits';

/** Each unit as [kind, first line, last line, section], 0-based lines. */
const units = (lines: string[], prose = true) =>
  splitUnits(lines, prose).units.map(u => [u.kind, u.first, u.last, u.section]);

describe('passage units', () => {
  it('reads a PDF page, a Word document, Markdown and text as prose; code, logs, tables and build files as lines', () => {
    const kinds = (path: string) =>
      analysePassage({
        id: `${path}:1-2`,
        path,
        location: `/ws/${path}`,
        startLine: 1,
        endLine: 2,
        text: 'The level is set before a jump. The doors open upwards\nlike wings.',
        score: 1,
      }).units.map(u => u.kind);
    for (const path of [
      'papers/flux.pdf',
      'docs/Guide.DOCX',
      'docs/guide.md',
      'NOTES',
      'report.qmd',
      'eda.Rmd',
      'a.rst',
    ])
      assert.deepEqual(kinds(path), ['sentence', 'sentence'], path);
    for (const path of ['src/flux.ts', 'logs/run.log', 'data.csv', '.env', 'Makefile', 'ops/Dockerfile'])
      assert.deepEqual(kinds(path), ['line', 'line'], path);
  });

  it('splits prose into sentences across wrapped lines, keeping abbreviations and decimals whole', () => {
    assert.deepEqual(
      units(['The level is 1.21 gigawatts, e.g. for a jump. The doors open', 'upwards (see Fig. 2). Wheels fold.']),
      [
        ['sentence', 0, 0, 0],
        ['sentence', 0, 1, 0],
        ['sentence', 1, 1, 0],
      ],
    );
  });

  it('ends a sentence after a short line that nothing ends, over a line that opens one: a title in a PDF page', () => {
    assert.deepEqual(
      units(['Churn analysis', 'Customers who churned cited pricing.', 'Retention improved after onboarding calls.']),
      [
        ['sentence', 0, 0, 0],
        ['sentence', 1, 1, 0],
        ['sentence', 2, 2, 0],
      ],
    );
    // wrapped prose runs to the wrap width; a short line that a comma ends, or whose next line goes on in lower case,
    // is part of its sentence
    assert.equal(units(['The doors open upwards, like the wings of a gull, when the', 'Car stops. Done.']).length, 2);
    assert.equal(units(['The doors open,', 'Then the wheels fold under the car body for the flight.']).length, 1);
    assert.equal(units(['The doors', 'open upwards like the wings of a gull when the car stops.']).length, 1);
    // one long link does not make the wrapped lines around it short
    const wrapped = [
      'The results of the second run were in by',
      'Monday morning, when the team met to read them and',
      'https://example.com/a/very/long/link/to/the/results/of/the/second/run/that/runs/past/the/wrap/width/of/the/text',
      'Tuesday brought the third run, which went as planned.',
    ];
    assert.equal(units(wrapped).length, 1);
  });

  it('reads a table row without outer pipes, as a Word document gives it, as a line of its own', () => {
    assert.deepEqual(units(['Plans:', 'Plan | Price | Seats', 'Basic | $10 | 1', 'Team | $40 | 10']), [
      ['sentence', 0, 0, 0],
      ['line', 1, 1, 0],
      ['line', 2, 2, 0],
      ['line', 3, 3, 0],
    ]);
    assert.deepEqual(units(['Plan | Price', 'Basic | $10']), [
      ['line', 0, 0, 0],
      ['line', 1, 1, 0],
    ]);
    // a pipe in a sentence, in inline code or between two terms, is no table
    assert.equal(units(['The type is `string | number | null` and it falls back.']).length, 1);
    assert.equal(units(['The posterior P(A | B) is small. It grows.'])[0]?.[0], 'sentence');
  });

  it('does not end a sentence at a dotted abbreviation', () => {
    assert.equal(units(['The U.S. Environmental Protection Agency agreed, i.e. It said so. It did.']).length, 2);
  });

  it('reads a single capital before a full stop as an initial, unless the next word opens sentences', () => {
    assert.equal(units(['George W. Bush spoke in 2001. J. Smith replied.']).length, 2);
    assert.equal(units(['The method was proposed by J. Smith in his thesis. It held.']).length, 2);
    assert.equal(units(['Levels of vitamin D. The cohort was small. Hepatitis C. The virus spread.']).length, 4);
  });

  it('starts a sentence at a Greek letter or a word that opens lower-case but holds a capital or digit, as names in technical prose do', () => {
    assert.deepEqual(
      units(['Expression fell in mice. mRNA levels rose. p53 was unchanged. it is not split here.']).length,
      3,
    );
    assert.equal(
      units(['Cells died (see Figs. 2 and 3). α-Synuclein rose. β cells were lost. 12 mice survived.']).length,
      4,
    );
  });

  it('numbers the sections between headings, and never makes a heading a unit', () => {
    assert.deepEqual(units(['# Wheels', 'They fold.', '', '## Doors', 'They open.', '- upwards', '- quietly']), [
      ['sentence', 1, 1, 1],
      ['sentence', 4, 4, 2],
      ['sentence', 5, 5, 2],
      ['sentence', 6, 6, 2],
    ]);
  });

  it('reads a list item as a paragraph: its sentences run over the lines that continue it, never into the next item', () => {
    assert.deepEqual(
      units([
        '- `cwd`: the directory to search in.',
        '  Defaults to `process.cwd()`.',
        '- `deep`: how deep to go,',
        'read lazily as Markdown does.',
        '  - a nested item',
        '',
        'After the list.',
      ]),
      [
        ['sentence', 0, 0, 0],
        ['sentence', 1, 1, 0],
        ['sentence', 2, 3, 0],
        ['sentence', 4, 4, 0],
        ['sentence', 6, 6, 0],
      ],
    );
  });

  it("reads an ordered list item's number as its marker, neither a sentence nor a term", () => {
    const analysis = splitUnits(['1. Install it with npm.', '2. Run it. Then wait.'], true);
    assert.deepEqual(
      analysis.units.map(u => [u.first, u.last]),
      [
        [0, 0],
        [1, 1],
        [1, 1],
      ],
    );
    assert.equal(analysis.postings.has('1'), false);
  });

  it('keeps fenced code as lines, and splits code files into lines in one section', () => {
    assert.deepEqual(units(['Run it. Then stop.', '```', 'run()', '# not a heading', '```']), [
      ['sentence', 0, 0, 0],
      ['sentence', 0, 0, 0],
      ['line', 2, 2, 0],
      ['line', 3, 3, 0],
    ]);
    assert.deepEqual(units(['# a comment', 'connect()'], false), [
      ['line', 0, 0, 0],
      ['line', 1, 1, 0],
    ]);
  });

  it('never lets a window run across a heading, blank lines around it or not', () => {
    const analysis = splitUnits(['## Timeout', 'The timeout is 30 s.', '## Retries', 'Retries default to five.'], true);
    const [timeout, retries] = analysis.units;
    assert.deepEqual([timeout?.section, retries?.section], [1, 2]);
    assert.notEqual(timeout?.run, retries?.run);
    const rows = splitUnits(['| a | 1 |', '# Next', '| b | 2 |'], true).units;
    assert.notEqual(rows[0]?.run, rows[1]?.run);
  });

  it('ends a sentence at a Chinese or Japanese full stop, exclamation or question mark, with no space after it', () => {
    assert.deepEqual(units(['超时时间是三十秒。系统会重试五次！真的吗？是的。']), [
      ['sentence', 0, 0, 0],
      ['sentence', 0, 0, 0],
      ['sentence', 0, 0, 0],
      ['sentence', 0, 0, 0],
    ]);
  });

  it('reads a long run of full stops as one sentence (a model or a file stuck repeating them)', () => {
    assert.equal(units([`Intro${'.'.repeat(50_000)}x`]).length, 1);
  });
});
