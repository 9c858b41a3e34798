// Retrieval per document kind: the same fifteen facts written as Jupyter notebooks, Databricks notebook sources and
// plain markdown (test/fixtures/documents-eval), and as PDFs and Word documents made here from the markdown (a page or
// a headed section per markdown section), the same paraphrased questions asked of each kind's own index, and Recall@5
// per kind: the share of questions whose answer (the notebook cell, the file line, or the PDF page, that holds it)
// is among the first five passages. The figures are printed and are the README's "Retrieval per kind" table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Passage } from '../../../../src/core/passage';
import { DEFAULT_WORKER_FILE } from '../../../../src/index/build/indexWorkerClient';
import { extractBinaryDocument } from '../../../../src/index/documents/binaryDocuments';
import { extractNotebook } from '../../../../src/index/documents/notebook';
import { LocalRetriever } from '../../../../src/retrievers/localRetriever';
import { tempDirs } from '../../../support/tempDirs';
import { docxOf, type DocxBlock } from './docxFixtures';
import { INDEX_FIXTURES } from '../fixturePaths';
import { pdfOfPages } from './pdfFixtures';

const EVAL = join(INDEX_FIXTURES, '..', 'documents-eval');

interface CellAnswer {
  path: string;
  cell: number;
  output?: true;
}
interface LineAnswer {
  path: string;
  line: number;
}
interface Question {
  question: string;
  /** Text that the answer's cell or line holds, in every kind: keeps the answer key true to the fixtures. */
  evidence: string;
  notebook: CellAnswer;
  databricks: LineAnswer;
  markdown: LineAnswer;
}
type Kind = 'notebook' | 'databricks' | 'pdf' | 'docx' | 'markdown';
const KINDS: readonly Kind[] = ['notebook', 'databricks', 'pdf', 'docx', 'markdown'];

/**
 * The lowest Recall@5 each kind may have: one question below what the index finds today (ranking is deterministic,
 * so the figure only moves when retrieval changes). The slack lets a change reorder one near tie; losing two
 * answers in a kind fails. Markdown and Word documents this small are one chunk a file and a PDF one a page, so their
 * passages are larger than a notebook's cells and their figures the easier ones.
 */
const FLOOR: Record<Kind, number> = {
  notebook: 11 / 15,
  databricks: 12 / 15,
  pdf: 14 / 15,
  docx: 14 / 15,
  markdown: 14 / 15,
};

const questions = JSON.parse(readFileSync(join(EVAL, 'questions.json'), 'utf8')) as Question[];

/**
 * A markdown file's sections, each a heading line and the lines under it up to the next heading, without the code
 * fences (a PDF or a Word document has none): a PDF's pages, a Word document's headed sections.
 */
function sections(markdown: string): string[][] {
  const out: string[][] = [];
  for (const line of markdown.replace(/\n+$/, '').split('\n')) {
    if (line.startsWith('```')) continue;
    if (line.startsWith('#') || out.length === 0) out.push([]);
    out[out.length - 1]?.push(line);
  }
  return out;
}

/** Characters of a line that fit across a page of `pdfOfPages` (12 pt Helvetica): longer lines are wrapped. */
const PDF_LINE_CHARS = 56;

/** A line wrapped at spaces into lines of at most PDF_LINE_CHARS (text drawn past the page's edge is not on it). */
function wrapped(line: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > PDF_LINE_CHARS) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return [...lines, current];
}

/** Text with every run of white space one space: a wrapped line holds the same words. */
const spaced = (text: string): string => text.replace(/\s+/g, ' ');

/** The section (1-based) of a markdown file that holds its line `line`. */
const sectionOf = (markdown: string, line: number): number =>
  markdown
    .split('\n')
    .slice(0, line)
    .filter(l => l.startsWith('#')).length;

const wordBlocks = (lines: readonly string[]): DocxBlock[] =>
  lines.flatMap((line): DocxBlock[] => {
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading) return [{ heading: (heading[1]?.length ?? 1) as 1 | 2 | 3, text: heading[2] ?? '' }];
    return line.trim() ? [{ text: line }] : [];
  });

const markdownOf = (q: Question): string => readFileSync(join(EVAL, q.markdown.path), 'utf8');
const nameOf = (q: Question): string => basename(q.markdown.path, '.md');

/** Whether `hit` is the passage that answers `q` in `kind`'s index (a hit's path is relative to its folder). */
function found(kind: Kind, q: Question, hit: Passage): boolean {
  switch (kind) {
    case 'notebook':
      return (
        `notebooks/${hit.path}` === q.notebook.path &&
        hit.cell === q.notebook.cell &&
        hit.cellOutput === q.notebook.output
      );
    case 'databricks':
    case 'markdown': {
      const answer = q[kind];
      const folder = kind === 'databricks' ? 'databricks' : 'markdown';
      return (
        `${folder}/${hit.path}` === answer.path &&
        hit.startLine <= answer.line &&
        answer.line <= hit.endLine &&
        hit.cell === undefined
      );
    }
    case 'pdf':
      return (
        hit.path === `${nameOf(q)}.pdf` &&
        hit.page === sectionOf(markdownOf(q), q.markdown.line) &&
        spaced(hit.text).includes(spaced(q.evidence))
      );
    case 'docx':
      return hit.path === `${nameOf(q)}.docx` && spaced(hit.text).includes(spaced(q.evidence));
  }
}

interface KindFigures {
  /** Share of the questions whose answer is among the first five passages. */
  recallAt5: number;
  /** Share of the questions whose answer is the first passage. */
  recallAt1: number;
  /** Mean lines of a returned passage: how much a citation asks the reader to look at. */
  meanLines: number;
  chunks: number;
  missed: string[];
}

async function figures(kind: Kind, retriever: LocalRetriever): Promise<KindFigures> {
  const missed: string[] = [];
  let first = 0;
  const lines: number[] = [];
  for (const q of questions) {
    const hits = await retriever.search(q.question, { k: 5 });
    const rank = hits.findIndex(hit => found(kind, q, hit));
    if (rank < 0) missed.push(q.question);
    if (rank === 0) first++;
    lines.push(...hits.map(hit => hit.endLine - hit.startLine + 1));
  }
  return {
    recallAt5: (questions.length - missed.length) / questions.length,
    recallAt1: first / questions.length,
    meanLines: lines.reduce((a, b) => a + b, 0) / Math.max(1, lines.length),
    chunks: retriever.stats()?.chunks ?? 0,
    missed,
  };
}

describe('retrieval per document kind (test/fixtures/documents-eval)', () => {
  const dirs = tempDirs();
  it('has an answer key that points at the text holding each answer, in every kind', () => {
    assert.ok(questions.length >= 10, `${questions.length} questions`);
    for (const q of questions) {
      const notebook = extractNotebook(readFileSync(join(EVAL, q.notebook.path), 'utf8'));
      const unit = notebook?.units.find(u => u.cell === q.notebook.cell && u.output === q.notebook.output);
      assert.ok(notebook && unit, `${q.notebook.path} cell ${q.notebook.cell}`);
      const cellText = notebook.text.split('\n').slice(unit.start, unit.end).join('\n');
      assert.ok(cellText.includes(q.evidence), `${q.notebook.path} cell ${q.notebook.cell}: ${q.evidence}`);
      for (const answer of [q.databricks, q.markdown]) {
        const line = readFileSync(join(EVAL, answer.path), 'utf8').split('\n')[answer.line - 1] ?? '';
        assert.ok(line.includes(q.evidence), `${answer.path}:${answer.line}: ${q.evidence}`);
      }
    }
  });

  /** Each kind's index: the fixture folders; PDFs and Word documents made from the markdown, read in the worker. */
  const retrievers = new Map<Kind, LocalRetriever>();
  /** The PDFs and Word documents made, by file name. */
  const made = new Map<string, Uint8Array>();
  before(async function () {
    this.timeout(60_000);
    const folder = (name: string) => join(EVAL, name);
    retrievers.set('notebook', new LocalRetriever({ folders: () => [folder('notebooks')], workerFile: false }));
    retrievers.set('databricks', new LocalRetriever({ folders: () => [folder('databricks')], workerFile: false }));
    retrievers.set('markdown', new LocalRetriever({ folders: () => [folder('markdown')], workerFile: false }));
    const temp = await dirs.make('grounded-documents-eval-');
    for (const kind of ['pdf', 'docx'] as const) {
      const dir = join(temp, kind);
      await mkdir(dir);
      for (const q of questions.filter((q, i) => questions.findIndex(o => nameOf(o) === nameOf(q)) === i)) {
        const parts = sections(markdownOf(q));
        const bytes =
          kind === 'pdf'
            ? await pdfOfPages(parts.map(lines => lines.flatMap(wrapped)))
            : await docxOf(parts.flatMap(wordBlocks));
        made.set(`${nameOf(q)}.${kind}`, bytes);
        await writeFile(join(dir, `${nameOf(q)}.${kind}`), bytes);
      }
      const storeDir = join(temp, `store-${kind}`);
      retrievers.set(kind, new LocalRetriever({ folders: () => [dir], storeDir, workerFile: DEFAULT_WORKER_FILE }));
    }
  });
  after(() => {
    for (const retriever of retrievers.values()) retriever.dispose();
  });

  it('makes PDFs and Word documents whose text holds each answer (on its page, in a PDF)', async function () {
    this.timeout(30_000);
    for (const q of questions) {
      const pdf = await extractBinaryDocument('pdf', made.get(`${nameOf(q)}.pdf`) ?? new Uint8Array());
      assert.ok(pdf.kind === 'document', `${nameOf(q)}.pdf`);
      const page = pdf.document.units.find(u => u.page === sectionOf(markdownOf(q), q.markdown.line));
      assert.ok(page, `${nameOf(q)}.pdf page of ${q.evidence}`);
      const pageText = pdf.document.text.split('\n').slice(page.start, page.end).join('\n');
      assert.ok(spaced(pageText).includes(spaced(q.evidence)), `${nameOf(q)}.pdf: ${q.evidence}`);
      const docx = await extractBinaryDocument('docx', made.get(`${nameOf(q)}.docx`) ?? new Uint8Array());
      assert.ok(docx.kind === 'document' && spaced(docx.document.text).includes(spaced(q.evidence)), q.evidence);
    }
  });

  for (const kind of KINDS) {
    it(`finds the answer among the first five passages for most questions: ${kind}`, async function () {
      this.timeout(60_000);
      const retriever = retrievers.get(kind);
      assert.ok(retriever);
      const f = await figures(kind, retriever);
      console.log(
        `      ${kind}: Recall@5 ${f.recallAt5.toFixed(3)}, Recall@1 ${f.recallAt1.toFixed(3)}, ` +
          `${f.chunks} chunks, ${f.meanLines.toFixed(1)} lines a passage`,
      );
      for (const question of f.missed) console.log(`        missed: ${question}`);
      assert.ok(f.recallAt5 >= FLOOR[kind], `Recall@5 ${f.recallAt5.toFixed(3)} < ${FLOOR[kind].toFixed(3)}`);
    });
  }
});
