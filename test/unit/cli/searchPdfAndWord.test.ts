import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirs } from '../../support/tempDirs';
import { docxOf, HANDBOOK } from '../index/documents/docxFixtures';
import { encryptedPdf, pdfOfPages, REPORT_PAGES } from '../index/documents/pdfFixtures';
import { cli } from './cliHarness';

interface JsonHit {
  path: string;
  page?: number;
  startLine: number;
  endLine: number;
  text: string;
}

describe('grounded search over PDFs and Word documents', () => {
  const dirs = tempDirs();
  let folder: string;
  let store: string;
  beforeEach(async () => {
    folder = await dirs.make('grounded-pdfs-');
    store = join(await dirs.make('grounded-pdfs-store-'), 'index');
    await writeFile(join(folder, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(folder, 'locked.pdf'), encryptedPdf());
    await writeFile(join(folder, 'handbook.docx'), await docxOf(HANDBOOK));
  });

  it('cites a PDF hit as path#page=N:start-end, at lines of the page', async () => {
    const { code, out } = await cli('search', 'churned pricing', '--folder', folder, '--store', store, '-k', '1');
    assert.equal(code, 0);
    assert.match(out, /^report\.pdf#page=2:1-3 {2}/);
    assert.match(out, /Customers who churned cited pricing/);
  });

  it('gives --json hits the page beside path and the page’s lines, with the page’s text', async () => {
    const { out } = await cli('search', 'offices next year', '--folder', folder, '--store', store, '--json');
    const [hit] = JSON.parse(out) as JsonHit[];
    assert.ok(hit);
    assert.deepEqual([hit.path, hit.page, hit.startLine, hit.endLine], ['report.pdf', 3, 1, 2]);
    assert.equal(hit.text, 'Outlook\nNext year we open two offices.');
  });

  it('reports an encrypted PDF as skipped, with its reason', async () => {
    const { code, out } = await cli('index', '--folder', folder, '--store', store);
    assert.equal(code, 0);
    assert.match(out, /skipped\s+1 encrypted/);
  });

  it('cites a Word document hit at lines of its extracted text, titled with its headings', async () => {
    const { out } = await cli('search', 'on-call rotates Monday', '--folder', folder, '--store', store, '--json');
    const [hit] = JSON.parse(out) as (JsonHit & { title?: string })[];
    assert.ok(hit);
    assert.equal(hit.path, 'handbook.docx');
    assert.equal(hit.page, undefined);
    assert.match(hit.title ?? '', /Team handbook > On-call/);
    assert.match(hit.text, /rotates every Monday & answers pages/);
  });
});
