import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { materialise, NODE_MODULES_SETS } from '../../bench/citations/nodeModulesSets';
import { abstractText, goldLinesOf, rationaleLines, readSciCases } from '../../bench/citations/sciCite';

interface WrittenCase {
  id: string;
  claim: string;
  path: string;
  label: string;
  goldLines: number[];
}

describe('the citation benchmark sets written for run.mjs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'grounded-sets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const written = (): WrittenCase[] =>
    readFileSync(join(dir, 'cases.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l) as WrittenCase);
  const lines = (path: string) => readFileSync(join(dir, 'ws', path), 'utf8').split('\n');

  it('docs-cite and code-cite: every case written names gold lines that hold its recorded text in the copied file', () => {
    for (const set of Object.keys(NODE_MODULES_SETS) as (keyof typeof NODE_MODULES_SETS)[]) {
      const recorded = readFileSync(join(__dirname, '../../../..', NODE_MODULES_SETS[set]), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l) as { claim: string; goldText: string[] });
      const { cases, skipped } = materialise(set, join(dir, set));
      const out = readFileSync(join(dir, set, 'cases.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean);
      assert.equal(out.length, cases, set);
      assert.equal(cases + skipped.length, recorded.length, set);
      for (const line of out) {
        const c = JSON.parse(line) as WrittenCase;
        const text = readFileSync(join(dir, set, 'ws', c.path), 'utf8').split('\n');
        const want = recorded.find(r => r.claim === c.claim)?.goldText;
        assert.deepEqual(
          c.goldLines.map(l => text[l - 1]?.trim()),
          want,
          c.claim,
        );
      }
    }
  });

  for (const [set, claims, support] of [
    ['sci-cite', 48, 31],
    ['sci-blind', 60, 40],
    ['sci-blind-2', 60, 40],
    ['sci-blind-3', 60, 40],
    ['sci-blind-4', 60, 40],
  ] as const) {
    it(`${set}: writes every abstract under ws/abstracts and every claim with its label and gold lines`, () => {
      const sci = readSciCases(set);
      assert.deepEqual(materialise(set, dir), { cases: sci.length, skipped: [] });
      const out = written();
      assert.deepEqual(
        out.map(c => [c.path, c.claim, c.label, c.goldLines]),
        sci.map(c => [c.path, c.claim, c.label, c.goldLines]),
      );
      assert.equal(new Set(out.map(c => c.id)).size, out.length);
      for (const c of out) {
        assert.match(c.path, /^abstracts\/[a-z0-9-]+\.md$/);
        assert.equal(lines(c.path).join('\n'), abstractText(set, c.path));
      }
    });

    it(`${set}: each gold line list is exactly the lines its rationale sentences span, each sentence found once`, () => {
      const sci = readSciCases(set);
      assert.equal(sci.length, claims);
      assert.equal(sci.filter(c => c.label === 'SUPPORT').length, support);
      for (const c of sci) {
        assert.ok(c.rationale.length >= 1 && c.rationale.length <= 3, c.claim);
        assert.ok(c.label === 'SUPPORT' || c.label === 'CONTRADICT', c.claim);
        assert.deepEqual(c.goldLines, goldLinesOf(set, c), c.claim);
      }
    });

    it(`${set}: abstracts are a title and paragraphs wrapped greedily at 100 columns, as the dev set wraps`, () => {
      for (const path of new Set(readSciCases(set).map(c => c.path))) {
        const [title, blank, ...body] = abstractText(set, path).replace(/\n$/, '').split('\n');
        assert.match(title ?? '', /^# \S/, path);
        assert.equal(blank, '', path);
        assert.ok(body[0] && body.at(-1), `${path}: a blank line opens or ends the abstract`);
        body.forEach((line, i) => {
          assert.ok(line.length <= 100 || !line.includes(' '), `${path}:${i + 3} is longer than 100 columns`);
          assert.ok(line !== '' || body[i + 1] !== '', `${path}:${i + 3} is a second blank line`);
          const next = body[i + 1]?.split(' ')[0];
          if (line !== '' && next)
            assert.ok(
              line.length + 1 + next.length > 100,
              `${path}:${i + 4} starts with a word that fits on line ${i + 3}`,
            );
        });
      }
    });
  }

  it('finds a wrapped sentence by its text, across line breaks, and refuses one it finds twice or not at all', () => {
    const text = '# T\n\nThe first sentence\nruns on. It ends here. It ends\nhere.\n';
    assert.deepEqual(rationaleLines(text, 'The first sentence runs on.'), [3, 4]);
    assert.deepEqual(rationaleLines(text, 'runs on.'), [4]);
    assert.throws(() => rationaleLines(text, 'It ends here.'), /more than once/);
    assert.throws(() => rationaleLines(text, 'It stops here.'), /not found/);
  });
});
