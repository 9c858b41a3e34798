import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import type { Passage } from '../../../src/core/passage';
import { formatResult } from '../../../src/core/rag/nodes/presentSearchResults';
import { headingsInFile, ownHeading, searchResultViews } from '../../../src/core/searchResults';
import { docxDocument } from '../../../src/index';
import { FakeRetriever } from '../../fakes/fakeRetriever';
import { collect } from '../../support/collect';

/** A markdown chunk that packs two sections (lines 10-21 of the file), titled with both trails as the chunker does. */
const guide: Passage = {
  id: 'docs/guide.md:10-21',
  path: 'docs/guide.md',
  location: '/ws/docs/guide.md',
  startLine: 10,
  endLine: 21,
  title: 'Guide > Install; Guide > Flux capacitor',
  text: [
    '## Install',
    '',
    'Download the package and unpack it.',
    'Run the installer as an administrator.',
    '',
    '## Flux capacitor',
    '',
    'The wheels are checked first.',
    'The flux capacitor is charged to 1.21 gigawatts before a jump.',
    'Charging takes four minutes.',
    '',
    'See the maintenance log.',
  ].join('\n'),
  score: 3,
};

const code: Passage = {
  id: 'src/jump.py:1-6',
  path: 'src/jump.py',
  location: '/ws/src/jump.py',
  startLine: 1,
  endLine: 6,
  title: 'jump',
  text: [
    'def jump(car):',
    '    # Install',
    '    car.check_wheels()',
    '    car.flux.charge(1.21)',
    '    return car.go()',
    '',
  ].join('\n'),
  score: 2,
};

describe('/search results', () => {
  it('shows the lines that hold what the query quotes, as written', () => {
    const net: Passage = {
      id: 'docs/net.md:1-4',
      path: 'docs/net.md',
      location: '/ws/docs/net.md',
      startLine: 1,
      endLine: 4,
      text: [
        '# Network',
        '',
        'Refused connections are retried.',
        'When the peer is down, the client logs connection refused by peer and stops at once.',
      ].join('\n'),
      score: 1,
    };
    const lines = (query: string) => {
      const [view] = searchResultViews([{ ...net }], query);
      return [view?.startLine, view?.endLine];
    };
    assert.deepEqual(lines('connection refused'), [3, 3]);
    assert.deepEqual(lines('"connection refused"'), [3, 4]);
  });

  it('shows the lines that match the query, not the chunk’s first lines', () => {
    const [view] = searchResultViews([guide], 'flux capacitor charged');
    assert.ok(view);
    assert.deepEqual([view.startLine, view.endLine], [18, 18]);
    assert.deepEqual(view.lines, ['The flux capacitor is charged to 1.21 gigawatts before a jump.']);
    assert.equal(view.ref, 'docs/guide.md:10-21');
  });

  it('names a one-line result path:line, a notebook cell’s or PDF page’s too, as chat’s Sources name a line', () => {
    const line = { ...guide, text: 'The flux capacitor is charged.', startLine: 18, endLine: 18, title: undefined };
    const refs = searchResultViews([line, { ...line, cell: 3 }, { ...line, page: 2 }], 'flux').map(v => v.ref);
    assert.deepEqual(refs, ['docs/guide.md:18', 'docs/guide.md#cell=3:18', 'docs/guide.md#page=2:18']);
  });

  it('names the heading the matched lines are under, not every heading of the chunk', () => {
    const [flux] = searchResultViews([guide], 'flux capacitor charged');
    assert.equal(flux?.heading, 'Flux capacitor');
    const [install] = searchResultViews([guide], 'installer administrator');
    assert.equal(install?.heading, 'Install');
  });

  it('names a setext heading (a line underlined with === or ---) the matched lines are under', () => {
    const text = ['Install', '-------', 'Run the installer.', '', 'Configure', '---------', 'Set flux.level.'].join(
      '\n',
    );
    const passage = { text, title: 'Guide > Install; Guide > Configure' };
    assert.equal(ownHeading(passage, 2), 'Install');
    assert.equal(ownHeading(passage, 6), 'Configure');
  });

  it('names the heading trail and the heading a line of a whole file is under, as the chunk the index makes of it', () => {
    const guide = ['# Guide', '', '## Install', 'Run the installer.', '', '## Configure', 'Set flux.level.'].join('\n');
    // a small file is one chunk, titled with every trail it holds; the heading is the line's own
    const title = 'Guide > Install; Guide > Configure';
    assert.deepEqual(headingsInFile('docs/guide.md', guide, 4), { title, heading: 'Install' });
    assert.deepEqual(headingsInFile('docs/guide.md', guide, 7), { title, heading: 'Configure' });
    assert.deepEqual(headingsInFile('notes.txt', guide, 7), {}, 'plain text has no headings');
    // a `#` line of code is a comment, not a heading: code is named by its symbol
    const code = ['def load():', '    # Configure', '    return 1'].join('\n');
    assert.deepEqual(headingsInFile('src/load.py', code, 3), { title: 'load', heading: 'load' });
    assert.deepEqual(headingsInFile('docs/guide.md', guide, 99), {}, 'a line past the end');
  });

  it('names the headings of a line of a Word document’s extracted text, given as the document the index reads', () => {
    const lines = ['# Plan', '', '## Budget', 'Costs rise.', '', '## Staff', 'Two hires.'];
    const document = docxDocument(lines);
    assert.deepEqual(headingsInFile('plan.docx', document.text, 7, document), {
      title: 'Plan > Budget; Plan > Staff',
      heading: 'Staff',
    });
    assert.deepEqual(headingsInFile('plan.docx', document.text, 7), {}, 'its text alone is not read as markdown');
  });

  it('names a setext heading of several lines by its whole paragraph', () => {
    const text = [
      'Setup',
      '=====',
      'Get the tool.',
      '',
      'Install the tool',
      'on Linux',
      '---',
      'Run the installer.',
    ].join('\n');
    const passage = { text, title: 'Setup; Setup > Install the tool on Linux' };
    assert.equal(ownHeading(passage, 7), 'Install the tool on Linux');
  });

  it('cuts a matched line too long to show at a whole character, never inside an emoji', () => {
    const line = `flux ${'x'.repeat(153)}🚀 and more`;
    const [view] = searchResultViews([{ ...guide, text: line, startLine: 1, endLine: 1, title: undefined }], 'flux');
    const shown = view?.lines[0] ?? '';
    assert.ok(shown.endsWith('x…'), shown.slice(-4));
    assert.equal(shown.length, 159);
  });

  it('takes no comment in code for a heading', () => {
    assert.equal(ownHeading(code, 4), 'jump');
    assert.equal(ownHeading({ text: 'plain text', title: undefined }, 0), undefined);
  });

  it('renders a result as a bold number, path:start-end, the heading and the numbered matched lines', () => {
    const [view] = searchResultViews([guide], 'flux capacitor charged');
    assert.ok(view);
    assert.equal(
      formatResult(view, 2),
      '**2.** `docs/guide.md:10-21` · Flux capacitor\n\n```\n18  The flux capacitor is charged to 1.21 gigawatts before a jump.\n```',
    );
  });

  it('writes a path with a backtick in it in a code span that shows it whole', () => {
    const [view] = searchResultViews([{ ...guide, path: 'docs/`guide`.md' }], 'flux capacitor charged');
    assert.ok(view);
    assert.match(formatResult(view, 1), /^\*\*1\.\*\* ``docs\/`guide`\.md:10-21`` · /);
  });

  it('answers /search with those results, each citing its matched lines', async () => {
    const events = await collect(
      ask(
        { question: 'flux capacitor charged', mode: 'search' },
        { retriever: new FakeRetriever(() => [guide, code]) },
      ),
    );
    const done = events.at(-1);
    assert.ok(done?.type === 'done');
    assert.match(
      done.answer,
      /^\*\*Search results for “flux capacitor charged”:\*\*\n\n\*\*1\.\*\* `docs\/guide\.md:10-21` · Flux capacitor\n/,
    );
    assert.match(done.answer, /\*\*2\.\*\* `src\/jump\.py:1-6` · jump\n\n```\n4 {2}car\.flux\.charge\(1\.21\)\n```$/);
    assert.doesNotMatch(done.answer, /Download the package|Guide > Install/);
    assert.deepEqual(
      done.citations.map(c => [c.n, c.passage.path, c.startLine, c.endLine]),
      [
        [1, 'docs/guide.md', 18, 18],
        [2, 'src/jump.py', 4, 4],
      ],
    );
  });
});
