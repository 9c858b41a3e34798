import assert from 'node:assert/strict';
import { alignClaim, claimTerms } from '../../../src/core/citations/align';
import { CitationStream } from '../../../src/core/citations/citationStream';
import { splitUnits } from '../../../src/core/citations/passageUnits';
import { checkPrompt, parseVerdicts } from '../../../src/core/citations/modelCheck';
import { citedSpan, CitationResolver, verdict, weightsFromPassages } from '../../../src/core/citations/resolve';
import type { Citation } from '../../../src/core/events';
import type { Passage } from '../../../src/core/passage';

function passageOf(text: string, path = 'docs/guide.md', startLine = 1): Passage {
  const lines = text.split(/\r?\n/).length;
  return {
    id: `${path}:${startLine}-${startLine + lines - 1}`,
    path,
    location: `/ws/${path}`,
    startLine,
    endLine: startLine + lines - 1,
    text,
    score: 1,
  };
}

const CONFIG = passageOf(
  [
    '## Wheels',
    'The wheels fold under the body for flight. Each wheel turns',
    'on its own axle.',
    '',
    '## Flux capacitor',
    'The flux capacitor is configured in flux.toml. Its level must be',
    'set to 1.21 gigawatts before a jump, or the jump fails.',
    'The capacitor sits behind the rear seats.',
    '',
    '## Destination',
    'The destination time is typed on the keypad in the dashboard.',
    '',
    '## Doors',
    'The doors open upwards, like wings.',
  ].join('\n'),
  'docs/configuration.md',
  43,
);

const CODE = passageOf(
  [
    'export function connect(url: string) {',
    '  const retries = 5;',
    '  const timeoutMs = 30000;',
    '  return open(url, { retries, timeoutMs });',
    '}',
    '',
    'export function close(handle: Handle) {',
    '  handle.release();',
    '}',
  ].join('\n'),
  'src/client.ts',
  10,
);

const resolve = (claim: string, n: number, sources: Passage[], check: 'lexical' | 'off' = 'lexical') =>
  new CitationResolver(sources, check).resolve({ n, ordinal: 0, claim });

describe('citation alignment', () => {
  it('points a prose claim at the sentences that hold it, not the whole passage', () => {
    const c = resolve('The flux capacitor level is set to 1.21 gigawatts', 1, [CONFIG]);
    assert.ok(c);
    assert.deepEqual([c.startLine, c.endLine], [48, 49]);
    assert.equal(c.support, 'supported');
  });

  it('points a code claim at the lines that hold it', () => {
    const c = resolve('connect retries 5 times', 1, [CODE]);
    assert.ok(c);
    assert.deepEqual([c.startLine, c.endLine], [10, 11]);
  });

  it("takes a code claim's lines past the signature that names its identifiers, to the line that does the thing", () => {
    const code = passageOf(
      [
        'function extend(namespace) {',
        '  const child = create(parent + delimiter + namespace);',
        '  return child;',
        '}',
      ].join('\n'),
      'src/logger.js',
      10,
    );
    // the signature holds the claim's two rarest terms in four words; BM25 alone would stop there
    const weights: Record<string, number> = { extend: 3, namespac: 3, parent: 1, delimit: 1 };
    const claim = claimTerms('extend joins the parent and a delimiter to the namespace', t => weights[t] ?? 0.2);
    const a = alignClaim(claim, code)!;
    assert.deepEqual([a.startLine, a.endLine], [10, 11]);
  });

  it('keeps a code claim inside the block that holds it, not running out of it to the comment after it', () => {
    const code = passageOf(
      [
        'function testSet(set, version) {',
        '  if (version.prerelease.length) {',
        '    for (const comparator of set) {',
        '      const allowed = comparator.semver',
        '      if (allowed.major === version.major &&',
        '          allowed.minor === version.minor &&',
        '          allowed.patch === version.patch) {',
        '        return true',
        '      }',
        '    }',
        '    // a prerelease version whose numbers no comparator shares',
        '    return false',
        '  }',
        '  return true',
        '}',
      ].join('\n'),
      'src/range.js',
      10,
    );
    // the window from the comparison through the comment after its block holds one claim term more
    const weights: Record<string, number> = { prereleas: 3, major: 2, minor: 2, patch: 2, version: 1, comparator: 1.5 };
    const claim = claimTerms(
      'a prerelease version satisfies a range only if a comparator has the same major, minor and patch numbers',
      t => weights[t] ?? 0.2,
    );
    const a = alignClaim(claim, code)!;
    assert.deepEqual([a.startLine, a.endLine], [14, 16]);
  });

  it('takes in the lines that hold what a claim quotes as written, past a shorter line with as much of its words', () => {
    const code = passageOf(
      [
        'function checkName(value) {',
        '  // prefix and postfix',
        '  if (value.includes("..")) {',
        '    throw new Error("Relative value not allowed");',
        '  }',
        '}',
      ].join('\n'),
      'src/tmp.js',
      20,
    );
    const weights: Record<string, number> = { prefix: 4, postfix: 4, rel: 2.7, valu: 1, allow: 1.9, error: 0.7 };
    const weight = (t: string) => weights[t] ?? 0.2;
    const quoted = claimTerms("A prefix or postfix with .. in it throws 'Relative value not allowed'", weight);
    assert.deepEqual(
      quoted.phrases.map(p => p.terms),
      [['rel', 'valu', 'allow']],
    );
    // the comment with the claim's rarest terms, down to the line that throws the message
    assert.deepEqual([alignClaim(quoted, code)?.startLine, alignClaim(quoted, code)?.endLine], [21, 23]);
    // the same words unquoted: the two-word comment, with the claim's rarest terms, ranks first
    const unquoted = claimTerms('A prefix or postfix with .. in it throws Relative value not allowed', weight);
    assert.deepEqual([alignClaim(unquoted, code)?.startLine, alignClaim(unquoted, code)?.endLine], [21, 21]);
    // a quoted single name is a term of the index already, not a phrase; a phrase quoted twice is held once
    assert.deepEqual(claimTerms('`maxWorkers` and "maxWorkers" are names', weight).phrases, []);
    assert.equal(claimTerms('`retries: Infinity` and `retries: Infinity`', weight).phrases.length, 1);
    // apostrophes quote nothing
    assert.deepEqual(claimTerms("In the ‘90s we didn’t use the users' files", weight).phrases, []);
  });

  it('ranks by phrase only among windows, never so that a shorter one holding it gives the citation away', () => {
    const a = passageOf(
      [
        'const x = 1;',
        '// retries: Infinity means retry forever',
        'retries = 3',
        'function Infinity() {}',
        'retries: Infinity',
        'other line',
      ].join('\n'),
      'src/a.ts',
    );
    const b = passageOf(['forever', 'set forever retries x'].join('\n'), 'src/b.ts');
    const c = resolve('Set `retries: Infinity` to retry forever', 1, [a, b]);
    // both lines 2 and 5 hold the phrase: line 2 holds more of the claim, and stays the citation's
    assert.deepEqual([c?.n, c?.startLine, c?.endLine, c?.movedFrom], [1, 2, 2, undefined]);
  });

  it('matches a word written hyphenated in the claim and closed in the passage, and the other way round', () => {
    const text = (lines: string[]) => passageOf(lines.join('\n'), 'docs/climate.md');
    const weight = () => 1;
    const closed = text(['# Levels', '', 'Industrial output rose fast.', 'Preindustrial levels of carbon were low.']);
    const a = alignClaim(claimTerms('Pre-industrial carbon was low', weight), closed);
    assert.deepEqual([a?.startLine, a?.coverage], [4, 1]);
    const hyphenated = text([
      '# Levels',
      '',
      'Industrial output rose fast.',
      'Pre-industrial levels of carbon were low.',
    ]);
    const b = alignClaim(claimTerms('Preindustrial carbon was low', weight), hyphenated);
    assert.deepEqual([b?.startLine, b?.coverage], [4, 1]);
    // capitals, and the non-breaking hyphen models write
    for (const claim of ['Pre-Industrial carbon was low', 'Pre\u2011industrial carbon was low']) {
      const c = alignClaim(claimTerms(claim, weight), closed);
      assert.deepEqual([c?.startLine, c?.coverage], [4, 1], claim);
    }
  });

  it('matches numbers exactly', () => {
    const c = resolve('the timeout is 30000 ms', 1, [CODE]);
    assert.deepEqual([c?.startLine, c?.endLine], [12, 12]);
  });

  it('reads a short form that the passage defines as its long form, and the long form as the short one', () => {
    const abstract = passageOf(
      [
        '# Ambulatory monitoring in primary care',
        '',
        'We compared clinic readings with ambulatory blood pressure monitoring (ABPM) in 500 adults referred for',
        'suspected hypertension. Nurses took the readings at two sites. Clinic readings had a sensitivity of 75%',
        'against ABPM for the diagnosis of hypertension. Home readings did better.',
      ].join('\n'),
      'papers/abpm.md',
    );
    const weight = () => 1;
    const long = alignClaim(
      claimTerms('Ambulatory blood pressure monitoring changes the diagnosis of hypertension', weight),
      abstract,
    );
    assert.deepEqual([long?.startLine, long?.endLine], [4, 5]);
    // the claim uses both forms: matched as written, the defining sentence holds the most of it
    const both = alignClaim(
      claimTerms('ABPM (ambulatory blood pressure monitoring) changes the diagnosis of hypertension', weight),
      abstract,
    );
    assert.deepEqual([both?.startLine, both?.endLine], [3, 4]);
    const docs = passageOf(
      [
        'Set a Content Security Policy (CSP) header on every page.',
        '',
        'The content security policy of the panel allows scripts with a nonce and blocks inline styles.',
      ].join('\n'),
    );
    const short = alignClaim(claimTerms("The panel's CSP blocks inline styles", weight), docs);
    assert.deepEqual([short?.startLine, short?.endLine, short?.coverage], [3, 3, 1]);
    // the claim's plural short form is the passage's singular one
    const api = passageOf('The application programming interface (API) is small.\n\nThe API returns JSON.');
    const plural = alignClaim(claimTerms('The APIs return JSON', weight), api);
    assert.deepEqual([plural?.startLine, plural?.endLine, plural?.coverage], [3, 3, 1]);
  });

  it('points a prose claim at the sentence that holds its words close together, over one that scatters them', () => {
    const patterns = passageOf(
      [
        'Negative values are rejected by the parser, the validator, the formatter, the printer, the linter and the cache, and the patterns are applied first.',
        'Dot files are skipped.',
        'The parser, the validator, the formatter, the printer, the linter and the cache reject values: negative patterns are applied first.',
      ].join('\n'),
      'docs/patterns.md',
    );
    const c = resolve('Negative patterns are applied first', 1, [patterns]);
    assert.deepEqual([c?.startLine, c?.endLine], [3, 3]);
    // close together in either order
    const reversed = resolve('Patterns that are negative are applied first', 1, [patterns]);
    assert.deepEqual([reversed?.startLine, reversed?.endLine], [3, 3]);
  });

  it('points a claim at the result that reports it, its statistics not counted against it as words', () => {
    const abstract = passageOf(
      [
        '# Metformin and colorectal cancer',
        '',
        'We followed 48,000 adults with type 2 diabetes for a median of 6.2 years. Metformin use was',
        'associated with a lower risk of colorectal cancer than sulfonylurea use (HR 0.83, 95% CI 0.72-0.95;',
        'P = 0.008; 412 vs. 515 cases per 100,000 person-years). Tumors of the proximal colon accounted for',
        'most of the difference. In conclusion, metformin use was associated with a lower colorectal cancer',
        'risk in this cohort.',
      ].join('\n'),
      'abstracts/metformin.md',
    );
    // the conclusion restates the finding in fewer terms; the result holds more of the claim, and its figures are
    // not words that dilute it
    const c = resolve('Metformin use is associated with a lower colorectal cancer risk than sulfonylureas', 1, [
      abstract,
    ]);
    assert.deepEqual([c?.startLine, c?.endLine], [3, 5]);
  });

  it('points a claim at the result that reports it, its statistics in parentheses not counted against it as words', () => {
    const abstract = passageOf(
      [
        '# Vitamin D and fractures',
        '',
        'We pooled 31 randomised trials of vitamin D in 51,145 adults aged 65 years or more. Daily vitamin',
        'D given with calcium reduced the risk of hip fracture (relative risk in pooled trials 0.84, 95%',
        'confidence interval 0.72 to 0.97, from 12 trials with low risk of bias). Vitamin D alone did not',
        'reduce fractures. In summary, daily vitamin D with calcium may reduce the risk of hip fracture in',
        'older adults.',
      ].join('\n'),
      'abstracts/vitamin-d.md',
    );
    const c = resolve('Daily vitamin D with calcium reduced the risk of hip fracture', 1, [abstract]);
    assert.deepEqual([c?.startLine, c?.endLine], [3, 5]);
  });

  it("points a claim at a structured abstract's result, not its objective that asks the claim as a question", () => {
    const abstract = passageOf(
      [
        '# Salt substitutes and stroke',
        '',
        'OBJECTIVE To determine whether replacing regular salt with a potassium-enriched salt substitute reduces',
        'stroke in older adults. DESIGN Open label cluster randomised trial. SETTING 600 villages. RESULTS In',
        'older adults, the salt substitute reduced the rate of stroke (rate ratio 0.86, 0.77 to 0.96).',
        'CONCLUSIONS Salt substitution lowered the rate of stroke.',
      ].join('\n'),
      'abstracts/salt.md',
    );
    const c = resolve('A potassium-enriched salt substitute reduces stroke in older adults', 1, [abstract]);
    assert.deepEqual([c?.startLine, c?.endLine], [4, 5]);
  });

  it('points a claim at the finding, not at the sentence that says the question was open', () => {
    const abstract = passageOf(
      [
        '# Light at night and migrating birds',
        '',
        'Artificial light at night attracts migrating birds, but whether it changes where they stop',
        'over under overcast skies is unknown. We counted birds at 140 sites with weather radar over three',
        'autumns. Stopover density rose with light, and the rise was strongest on nights with clear skies',
        '(density ratio 1.31 vs. 1.08 under overcast skies).',
      ].join('\n'),
      'abstracts/birds.md',
    );
    // the claim says the opposite of the finding, which is still what a reader must see
    const c = resolve('Migrating birds are drawn to artificial light most strongly under overcast skies', 1, [
      abstract,
    ]);
    assert.deepEqual([c?.startLine, c?.endLine], [5, 6]);
  });

  it("reads what frames the findings: a structured abstract's labels, until a label of findings or the paragraph's end, questions and methods", () => {
    const framing = (text: string) =>
      splitUnits(text.split('\n'), true).units.map(
        u => `${u.framing ? 'F' : '-'} ${text.split('\n')[u.first]?.slice(0, 12) ?? ''}`,
      );
    assert.deepEqual(
      framing(
        [
          'BACKGROUND: Little is known. We asked why.',
          'METHODS: We counted. RESULTS: Most were red. The rest were blue.',
          'CONCLUSIONS/SIGNIFICANCE Red wins.',
          '',
          'DESIGN, SETTING, AND PARTICIPANTS Cohort study.',
          '',
          'Nothing labels this. Objective: to see. Results: it works.',
          '',
          'METHODS AND FINDINGS We counted 12 red ones. Methods for counting vary.',
          '',
          'IMPORTANCE Red matters. MAIN OUTCOMES AND MEASURES Redness. CONCLUSIONS AND RELEVANCE Red wins.',
          '',
          'BACKGROUND',
          'Red was never counted before this study, which counted.',
          '',
          'RESULTS',
          'Most were red, which we had not expected at all here.',
          '',
          'Whether red wins is unclear. We tested whether it does. It does. Why is not known.',
          '',
          'We conducted a trial of red. Patients were randomly assigned to it. We found more red.',
        ].join('\n'),
      )
        .map(u => u[0])
        .join(''),
      // one letter a sentence, paragraph by paragraph: F frames the findings, - does not
      ['FFF---', 'F', '-F-', '--', 'FF-', 'FF', '--', 'FF-F', 'FF-'].join(''),
    );
  });

  it('pairs the terms of a claim of tens of thousands of words, each pair once, in time linear in its length', () => {
    // a sentence that never ends (a model stuck listing names): every neighbouring pair differs
    const words = Array.from({ length: 60_000 }, (_, i) => `z${[...String(i)].map(d => 'bcdfghjkmn'[+d]).join('')}z`);
    const claim = claimTerms(`${words.join(' ')} ${words[0]} ${words[1]}`, () => 1);
    assert.equal(claim.pairs.length, 60_000);
    assert.deepEqual(claim.pairs[0], { terms: [words[0], words[1]], weight: 0.5 });
    // a pair written again, or the other way round, is held once
    assert.deepEqual(
      claimTerms('flux capacitor, capacitor flux and flux capacitor', () => 1).pairs.map(p => p.terms),
      [['flux', 'capacitor']],
    );
  });

  it('prefers the shorter window when a longer one adds little', () => {
    const c = resolve('The doors open upwards like wings', 1, [CONFIG]);
    assert.deepEqual([c?.startLine, c?.endLine], [56, 56]);
  });

  it('flags a claim its passage does not contain', () => {
    const c = resolve('The engine runs on plutonium from Libya', 1, [CONFIG]);
    assert.equal(c?.support, 'unsupported');
  });

  it('flags a claim of which its passage holds under a quarter, though one of its lines holds its rarest words', () => {
    const c = resolve('The flux capacitor was invented by Emmett Brown in 1955', 1, [CONFIG]);
    assert.deepEqual([c?.startLine, c?.endLine], [48, 48]);
    assert.equal(c?.support, 'partial');
  });

  it('flags a claim that another retrieved passage holds far more of, without moving it there', () => {
    const seats = passageOf('The capacitor sits behind the rear seats.\nSeats fold flat.', 'docs/seats.md');
    const power = passageOf(
      [
        'The capacitor charges from the reactor.',
        'Charging takes an hour.',
        'The reactor runs on plutonium.',
        'Plutonium comes in sealed cases.',
        'The cases are stored in the trunk.',
      ].join('\n'),
      'docs/power.md',
    );
    const claim = 'The capacitor behind the seats charges from a plutonium reactor stored in the trunk';
    const weight = weightsFromPassages([seats, power]); // the same IDF with one source or two
    const alone = new CitationResolver([seats], 'lexical', weight).resolve({ n: 1, ordinal: 0, claim });
    assert.equal(alone?.support, 'supported');
    const c = new CitationResolver([seats, power], 'lexical', weight).resolve({ n: 1, ordinal: 0, claim });
    assert.deepEqual([c?.n, c?.movedFrom, c?.support], [1, undefined, 'partial']);
  });

  it("measures how much of the claim the lines' section holds, beside what the lines hold", () => {
    const weight = () => 1;
    const prose = alignClaim(claimTerms('doors open upwards; wheels fold', weight), CONFIG)!;
    assert.deepEqual([prose.startLine, prose.endLine], [56, 56]);
    assert.equal(prose.coverage, 0.6);
    assert.equal(prose.sectionCoverage, 0.6, 'the wheels are under another heading');
    const unsplit = passageOf(CONFIG.text.replace(/^#+ .*$/gm, ''), 'docs/configuration.md', 43);
    assert.equal(alignClaim(claimTerms('doors open upwards; wheels fold', weight), unsplit)!.sectionCoverage, 1);
    const code = alignClaim(claimTerms('close releases the handle after connect', weight), CODE)!;
    assert.deepEqual([code.startLine, code.endLine], [16, 17]);
    assert.ok(code.sectionCoverage > code.coverage, 'code is one section');
  });

  it('supports a citation only when its passage holds enough of the claim, as much as the other passages nearly, and its lines the core', () => {
    const held = (sectionCoverage: number, sectionTerms = sectionCoverage) => ({ sectionCoverage, sectionTerms });
    assert.equal(verdict({ coverage: 0.2, ...held(0.6) }), 'supported');
    assert.equal(verdict({ coverage: 0.2, ...held(0.65) }, held(0.8)), 'supported');
    assert.equal(verdict({ coverage: 0.2, ...held(0.4) }, held(0.8)), 'partial');
    assert.equal(verdict({ coverage: 0.2, ...held(0.2) }), 'partial');
    assert.equal(verdict({ coverage: 0.05, ...held(0.6) }), 'partial');
    assert.equal(verdict({ coverage: 0.05, ...held(0.05) }), 'unsupported');
  });

  it('flags a citation whose passage shares the claim’s rare words but far less of its wording than another passage', () => {
    const held = (sectionCoverage: number, sectionTerms: number) => ({ sectionCoverage, sectionTerms });
    // as much of the claim's weight elsewhere, but two of its five terms here against all five there
    assert.equal(verdict({ coverage: 0.3, ...held(0.6, 0.4) }, held(0.6, 1), 5), 'partial');
    // a fifth fewer of them (one term in five) is near enough, however the shares round
    assert.equal(verdict({ coverage: 0.3, ...held(0.6, 0.8) }, held(0.6, 1), 5), 'supported');
    assert.equal(verdict({ coverage: 0.3, ...held(0.6, 0.6) }, held(0.6, 0.8), 5), 'supported');
    // one term more of a claim of three is a word of its phrasing, not another topic: two are
    assert.equal(verdict({ coverage: 0.3, ...held(0.6, 2 / 3) }, held(0.6, 1), 3), 'supported');
    assert.equal(verdict({ coverage: 0.3, ...held(0.6, 1 / 3) }, held(0.6, 1), 3), 'partial');
  });

  it('moves a claim to the retrieved passage that supports it clearly better', () => {
    const c = resolve('connect retries 5 times with a 30000 ms timeout', 1, [CONFIG, CODE]);
    assert.equal(c?.n, 2);
    assert.equal(c?.movedFrom, 1);
    assert.equal(c?.passage, CODE);
    assert.equal(c?.support, 'supported');
  });

  it('does not move or judge with checking off, but still aligns', () => {
    const c = resolve('connect retries 5 times with a 30000 ms timeout', 1, [CONFIG, CODE], 'off');
    assert.equal(c?.n, 1);
    assert.equal(c?.movedFrom, undefined);
    assert.equal(c?.support, undefined);
  });

  it('cites the one line of a one-line passage', () => {
    const one = passageOf('Logs go to /var/log/acme.', 'notes.txt', 7);
    const c = resolve('logs go to /var/log/acme', 1, [one]);
    assert.deepEqual([c?.startLine, c?.endLine, c?.support], [7, 7, 'supported']);
  });

  it('aligns CRLF text to the same lines as LF text', () => {
    const crlf = passageOf(CONFIG.text.replaceAll('\n', '\r\n'), 'docs/configuration.md', 43);
    const c = resolve('The flux capacitor level is set to 1.21 gigawatts', 1, [crlf]);
    assert.deepEqual([c?.startLine, c?.endLine], [48, 49]);
    assert.equal(citedSpan(c!).text.split('\n')[0], 'The flux capacitor is configured in flux.toml. Its level must be');
  });

  it('never cites a heading line, blank lines around it or not', () => {
    const weight = () => 1;
    const claim = claimTerms('The timeout is 30 seconds and retries default to five', weight);
    const tight = passageOf('## Timeout\nThe timeout is 30 seconds.\n## Retries\nRetries default to five.');
    const a = alignClaim(claim, tight);
    assert.deepEqual([a?.startLine, a?.endLine], [2, 2]);
  });

  it('judges a citation to a passage with nothing to align as holding none of the claim, and moves it to one that holds it', () => {
    const good = passageOf('# Client\n\nThe request timeout defaults to 30 seconds.', 'docs/client.md');
    const claim = 'The request timeout defaults to 30 seconds';
    for (const text of ['', '# Cats\n## Sleeping']) {
      const nothing = passageOf(text, 'docs/cats.md');
      const moved = resolve(claim, 1, [nothing, good]);
      assert.deepEqual([moved?.n, moved?.movedFrom, moved?.startLine, moved?.endLine], [2, 1, 3, 3], text);
      assert.equal(moved?.support, 'supported');
      assert.equal(resolve(claim, 1, [nothing])?.support, 'unsupported', text);
    }
  });

  it('ignores a number that names no source', () => {
    assert.equal(resolve('anything', 3, [CONFIG]), undefined);
  });

  it('weighs rare terms above common ones', () => {
    const weight = weightsFromPassages([passageOf('Power is key.\nPower matters.\nPower wins.\nGigawatts are rare.')]);
    assert.ok(weight('gigawatt') > weight('power'), `${weight('gigawatt')} > ${weight('power')}`);
    const terms = claimTerms('gigawatts', weight);
    assert.equal(terms.terms.length, 1);
    assert.ok(alignClaim(terms, CONFIG)!.coverage > 0.99);
  });

  it("judges a claim that links to a page by its words, not the link's URL, which another source may hold", () => {
    const uploads = passageOf(
      'The client retries failed uploads five times by default.\nSet the retry count in the settings file.',
      'docs/uploads.md',
    );
    const backups = passageOf(
      'Backups are uploaded every hour.\nSee https://example.com/docs/backups for details.',
      'docs/backups.md',
    );
    const stream = new CitationStream([uploads, backups], 'lexical');
    const cited = [
      ...stream.push('Uploads are retried five times, see [the docs](https://example.com/docs/uploads) [1].'),
      ...stream.flush(),
    ];
    assert.deepEqual(
      cited.map(c => [c.n, c.startLine, c.support, c.claim]),
      [[1, 1, 'supported', 'Uploads are retried five times, see the docs']],
    );
  });

  it('resolves citations as the answer streams, each once its marker is complete', () => {
    const stream = new CitationStream([CONFIG, CODE], 'lexical');
    assert.deepEqual(stream.push('The doors open upwards ['), []);
    const first = stream.push('1]. Connect retries 5 times [2');
    assert.deepEqual(
      first.map(c => [c.n, c.startLine, c.endLine]),
      [[1, 56, 56]],
    );
    const rest = [...stream.push(']'), ...stream.flush()];
    assert.deepEqual(
      rest.map(c => [c.n, c.ordinal, c.startLine]),
      [[2, 1, 10]],
    );
  });
});

describe('a claim that cites several sources', () => {
  const passage = (path: string, lines: string[]) => passageOf(lines.join('\n'), path);
  const filler = (i: number) => `Filler sentence number ${i} talks about nothing much.`;
  const car = passage('docs/car.md', ['The flux capacitor is in the car.']);
  // the claim's other words, each in a sentence of its own, too far apart for one window to hold two of them
  const plant = passage('docs/plant.md', [
    'It needs gigawatts at the plant.',
    ...[1, 2, 3, 4].map(filler),
    'The rear seats fold flat.',
    ...[5, 6, 7, 8].map(filler),
    'Behind the dashboard is a keypad.',
  ]);
  const claim = 'The flux capacitor needs gigawatts behind the rear seats';
  const stream = (answer: string) => {
    const s = new CitationStream([car, plant], 'lexical', () => 1);
    const events = [...(answer.match(/\s*\S+/g) ?? []).flatMap(t => s.push(t)), ...s.flush()];
    return { events: events.map(c => `${c.ordinal}:${c.n}:${c.support}`), final: s.citations.map(c => c.support) };
  };

  it('weighs a source against the retrieved ones the claim does not cite, judging it again as the claim cites more', () => {
    // alone, source 1 holds far less of the claim than source 2 does: partly supported
    assert.deepEqual(stream(`${claim} [1].`), { events: ['0:1:partial'], final: ['partial'] });
    // cited with source 2, the two say it together: [1] is judged again when [2] arrives, and given again
    assert.deepEqual(stream(`${claim} [1][2].`), {
      events: ['0:1:partial', '0:1:supported', '1:2:supported'],
      final: ['supported', 'supported'],
    });
    assert.deepEqual(stream(`${claim} [1], [2].`).final, ['supported', 'supported']);
    // a marker of the next claim does not count as the claim's
    assert.deepEqual(stream(`${claim} [1]. The plant has seats [2].`).final[0], 'partial');
  });

  it('judges a claim again only when it cites a source it did not cite before', () => {
    // a model stuck repeating a marker: each repeat is resolved once, and judges no earlier one again
    const resolve = CitationResolver.prototype.resolve;
    let calls = 0;
    CitationResolver.prototype.resolve = function (...args) {
      calls++;
      return resolve.apply(this, args);
    };
    try {
      stream(`${claim} ${'[1]'.repeat(50)}[2].`);
    } finally {
      CitationResolver.prototype.resolve = resolve;
    }
    assert.equal(calls, 50 + 1 + 50, 'the 50 markers, [2], and the 50 judged again when [2] arrives');
    // [1] repeated changes nothing; [2] has the three earlier citations judged again, once each
    assert.deepEqual(stream(`${claim} [1][1][1][2][2].`).events, [
      '0:1:partial',
      '1:1:partial',
      '2:1:partial',
      '0:1:supported',
      '1:1:supported',
      '2:1:supported',
      '3:2:supported',
      '4:2:supported',
    ]);
  });
});

describe('a claim that cites several chunks of one file', () => {
  const filler = (i: number) => `Filler sentence number ${i} talks about nothing much.`;
  // the first chunk names all of the claim, each part far from the others: no lines of it hold much of it
  const scattered = [
    'The flux capacitor is here.',
    ...[1, 2, 3, 4].map(filler),
    'It needs gigawatts.',
    ...[5, 6, 7, 8].map(filler),
    'Behind are the rear seats.',
  ];
  // the second holds most of it in one sentence, though its section holds less of it than the first chunk's does
  const together = ['The flux capacitor needs gigawatts behind the dashboard.', filler(9)];
  const claim = 'The flux capacitor needs gigawatts behind the rear seats';
  const run = (secondPath: string) => {
    const first = passageOf(scattered.join('\n'), 'docs/car.md', 1);
    const second = passageOf(together.join('\n'), secondPath, 40);
    const s = new CitationStream([first, second], 'lexical', () => 1);
    const events = [...(`${claim} [1][2].`.match(/\s*\S+/g) ?? []).flatMap(t => s.push(t)), ...s.flush()];
    const show = (c: Citation) => `${c.ordinal}:${c.n}:${c.movedFrom ?? '-'}:${c.startLine}-${c.endLine}`;
    return { events: events.map(show), final: s.citations.map(show) };
  };

  it('has each citation take the best lines among the chunks of its file the claim cites, sent again when they change', () => {
    // [1] alone keeps its own lines; when [2] arrives, another chunk of its file holds the claim clearly better: [1]
    // takes its lines, moved from 1, and is given again
    assert.deepEqual(run('docs/car.md'), {
      events: ['0:1:-:11-11', '0:2:1:40-40', '1:2:-:40-40'],
      final: ['0:2:1:40-40', '1:2:-:40-40'],
    });
  });

  it('moves nothing between chunks of different files', () => {
    // the second chunk holds less of the claim than the first's section does: no move to another source
    assert.deepEqual(run('docs/plant.md').final, ['0:1:-:11-11', '1:2:-:40-40']);
  });
});

describe('model check parsing', () => {
  const supports = (reply: string, count: number) => parseVerdicts(reply, count)?.map(v => v.support);

  it('reads JSON, a bare list, objects and words, and rejects a wrong count', () => {
    assert.deepEqual(supports('{"verdicts": ["supported", "unsupported"]}', 2), ['supported', 'unsupported']);
    assert.deepEqual(supports('```json\n["partial"]\n```', 1), ['partial']);
    assert.deepEqual(supports('[{"claim": 1, "support": "Supported"}]', 1), ['supported']);
    assert.deepEqual(supports('1. supported\n2. partial', 2), ['supported', 'partial']);
    assert.equal(parseVerdicts('{"verdicts": ["supported"]}', 2), undefined);
    assert.equal(parseVerdicts('I cannot judge these.', 1), undefined);
  });

  it('reads a verdict word as its qualifier says, and the first JSON value of a reply without what follows it', () => {
    assert.deepEqual(supports('1. Supported\n2. Partially supported', 2), ['supported', 'partial']);
    assert.deepEqual(supports('Claim 1 is not supported; claim 2 is supported.', 2), ['unsupported', 'supported']);
    assert.deepEqual(supports('1. partly supported\n2. Unsupported', 2), ['partial', 'unsupported']);
    assert.deepEqual(supports('{"verdicts": ["Supported.", "partially supported"]}', 2), ['supported', 'partial']);
    assert.deepEqual(supports('{"verdicts": ["supported", "partial"]}\nClaim {2} is only partly supported.', 2), [
      'supported',
      'partial',
    ]);
    assert.deepEqual(supports('Claims [1] and [2]: ["unsupported", "supported"]', 2), ['unsupported', 'supported']);
  });

  it('takes the lines the checker names only where they are a short run among the lines it was shown', () => {
    const shown = [
      { first: 10, last: 20 },
      { first: 10, last: 20 },
      { first: 10, last: 20 },
      { first: 10, last: 20 },
    ];
    const reply = JSON.stringify({
      verdicts: [
        { support: 'supported', lines: [12, 14] },
        { support: 'supported', lines: [18] },
        { support: 'partial', lines: [9, 12] },
        { support: 'supported', lines: [10, 19] },
      ],
    });
    assert.deepEqual(parseVerdicts(reply, 4, shown), [
      { support: 'supported', lines: { startLine: 12, endLine: 14 } },
      { support: 'supported', lines: { startLine: 18, endLine: 18 } },
      { support: 'partial' },
      { support: 'supported' },
    ]);
    assert.deepEqual(parseVerdicts('[{"support": "supported", "lines": ["12", 14.5]}]', 1, shown), [
      { support: 'supported' },
    ]);
  });

  it('shows each claim its cited lines marked, with a few on either side within the passage', () => {
    const source = passageOf(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n'), 'docs/x.md', 10);
    const citation = { n: 1, ordinal: 0, passage: source, claim: 'e and f', startLine: 14, endLine: 15 };
    const { text, shown } = checkPrompt([citation]);
    assert.deepEqual(shown, [{ first: 10, last: 19 }]);
    assert.match(text, /^Claim 1: e and f\nSource lines \(docs\/x\.md\):\n {2}10: a\n/);
    assert.match(text, /\n> 14: e\n> 15: f\n {2}16: g\n/);
  });

  it('cuts a long cited line at a whole character, never sending half an emoji to the checker', () => {
    // 400 characters are shown of a line: the cut falls between the two halves of the emoji
    const source = passageOf(`${'a'.repeat(399)}😀 and more`, 'docs/x.md');
    const { text } = checkPrompt([{ n: 1, ordinal: 0, passage: source, claim: 'a', startLine: 1, endLine: 1 }]);
    assert.match(text, new RegExp(`\\n> 1: a{399}\\n$`));
  });

  it('quotes the cited lines first, so long lines around them never crowd them out', () => {
    const lines = Array.from({ length: 10 }, (_, i) => (i === 6 ? 'The timeout is 30 seconds.' : 'x'.repeat(500)));
    const source = passageOf(lines.join('\n'), 'docs/x.md');
    const citation = { n: 1, ordinal: 0, passage: source, claim: 'The timeout is 30', startLine: 7, endLine: 7 };
    const { text, shown } = checkPrompt([citation]);
    assert.match(text, /\n> 7: The timeout is 30 seconds\.\n/);
    // then context after and before in turn, while it fits
    assert.deepEqual(shown, [{ first: 6, last: 9 }]);
    assert.match(text, /\n {2}6: x+\n> 7: .*\n {2}8: x+\n {2}9: x+\n$/);
  });
});
