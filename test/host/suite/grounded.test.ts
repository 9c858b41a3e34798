import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Citation } from '../../../src/core/events';
import { citedSpan } from '../../../src/core/citations/resolve';
import type { GroundedApi } from '../../../src/extension';
import { citedRangesMarkdown } from '../../../src/vscode/citationLinks';
import { collect } from '../../support/collect';
import { until } from '../../support/until';
import { activateGrounded, HOST_WAIT, workspaceRoot } from './hostHelpers';

interface FakeLm {
  calls: { kind: 'grade' | 'rewrite' | 'generate'; text: string }[];
}

describe('Grounded in a real VS Code extension host', function () {
  let api: GroundedApi;
  let fake: FakeLm;

  before(async () => {
    api = await activateGrounded();
    const lm = vscode.extensions.getExtension<FakeLm>('grounded-tests.fake-lm');
    assert.ok(lm, 'the fake model fixture is loaded');
    fake = await lm.activate();
  });

  it('runs the packaged VSIX, not the source tree', () => {
    const ext = vscode.extensions.getExtension('grounded.grounded');
    const installed = process.env.GROUNDED_TEST_EXTENSIONS_DIR;
    assert.ok(installed, 'the runner names the extensions folder it installed the VSIX into');
    assert.ok(ext?.extensionPath.startsWith(installed), `${ext?.extensionPath} is under ${installed}`);
    assert.equal(ext?.packageJSON.main, './dist/extension.js');
  });

  it('indexes the fixture workspace, skipping the binary and the git-ignored folder', async () => {
    const report = await api.indexReport();
    assert.deepEqual(report.folders, [workspaceRoot()]);
    assert.equal(report.skipped['binary'], 1);
    assert.ok(report.files >= 4, `files: ${report.files}`);
    const passages = await collect(api.ask({ question: 'flux capacitor secret', mode: 'search' }));
    const sources = passages.find(e => e.type === 'sources');
    assert.ok(sources?.type === 'sources' && sources.sources.length > 0);
    assert.ok(
      sources.sources.every(p => !p.path.startsWith('ignored/') && !p.path.startsWith('assets/')),
      JSON.stringify(sources.sources.map(p => p.path)),
    );
  });

  it('streams an answer whose citations open the file and lines that hold the cited text', async () => {
    const events = await collect(api.ask({ question: 'How is the flux capacitor configured?' }));
    const tokens = events.filter(e => e.type === 'token');
    assert.ok(tokens.length >= 5, `streamed in ${tokens.length} tokens`);
    const done = events[events.length - 1];
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.equal(done.mode, 'answer');
    assert.ok(done.citations.length >= 1, 'cites a source');
    assert.ok(
      done.citations.every(c => c.n !== 99),
      'the invented [99] is dropped',
    );
    for (const c of done.citations) {
      // The test model quotes the section's heading ("Flux capacitor"); a heading is never a citation's lines, so the
      // claim is anchored to the 1-4 lines that say it under the heading, within its passage.
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(c.passage.location));
      const cited = doc.getText(new vscode.Range(c.startLine - 1, 0, c.endLine, 0));
      assert.match(cited, /flux capacitor/i, `${c.passage.path}:${c.startLine}-${c.endLine}`);
      assert.doesNotMatch(cited, /^#/m, 'no heading is cited');
      assert.ok(c.endLine - c.startLine < 4, `${c.endLine - c.startLine + 1} lines cited`);
      assert.ok(c.startLine >= c.passage.startLine && c.endLine <= c.passage.endLine);
      assert.ok(c.passage.endLine - c.passage.startLine > c.endLine - c.startLine, 'fewer lines than the passage');
      assert.equal(c.support, 'supported');
      assert.equal(c.claim, 'From the workspace: Flux capacitor');
    }
    // the answer is the streamed text without the number that names no source
    const streamed = tokens.map(t => (t.type === 'token' ? t.text : '')).join('');
    assert.match(streamed, /\[99\]/);
    assert.equal(done.answer, streamed.replace('[99]', ''));
    assert.match(done.answer, /^From the workspace: /);
    assert.equal(fake.calls.filter(c => c.kind === 'grade').length, 1, 'one grading call');
  });

  it('opens a chat answer’s source link at the cited lines, found again after the file changed', async () => {
    const done = (await collect(api.ask({ question: 'How is the flux capacitor configured?' }))).at(-1);
    assert.ok(done?.type === 'done' && done.citations[0], JSON.stringify(done));
    const span = citedSpan(done.citations[0]);
    const link = decodeURIComponent(
      citedRangesMarkdown([{ span }]).value.split('command:grounded.openCitation?')[1] ?? '',
    );
    const args = JSON.parse(link.slice(0, link.lastIndexOf(')'))) as unknown[];
    const uri = vscode.Uri.file(span.location);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), 'One line added.\nAnd another.\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      assert.equal(await vscode.commands.executeCommand('grounded.openCitation', ...args), 'moved');
      const selection = vscode.window.activeTextEditor?.selection;
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
      assert.deepEqual([selection?.start.line, selection?.end.line], [span.startLine + 1, span.endLine + 1]);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('does not open a cited file that a link leading out of the workspace replaced', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'grounded-outside-'));
    const secret = join(outside, 'secret.md');
    await writeFile(secret, 'The launch code is 0000.\n');
    const link = join(workspaceRoot(), 'linked-out.md');
    await symlink(secret, link);
    try {
      const cited = { id: 'linked-out.md:1-1', path: 'linked-out.md', location: link, startLine: 1, endLine: 1 };
      const markdown = citedRangesMarkdown([{ span: { ...cited, text: 'The launch code is 0000.', score: 0 } }]).value;
      const encoded = decodeURIComponent(markdown.split('command:grounded.openCitation?')[1] ?? '');
      const args = JSON.parse(encoded.slice(0, encoded.lastIndexOf(')'))) as unknown[];
      assert.equal(await vscode.commands.executeCommand('grounded.openCitation', ...args), 'stale');
      assert.ok(
        vscode.workspace.textDocuments.every(d => d.uri.fsPath !== secret && d.uri.fsPath !== link),
        'neither the link nor the file outside was opened',
      );
    } finally {
      await rm(link, { force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('@grounded in the chat view asks the model picked there, with the workspace passages', async () => {
    const before = fake.calls.length;
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@grounded where do the logs go?',
      modelSelector: { vendor: 'grounded-test' },
    });
    assert.ok(
      await until(() => fake.calls.slice(before).some(c => c.kind === 'generate'), HOST_WAIT),
      'the participant asked the model',
    );
    const generate = fake.calls.slice(before).find(c => c.kind === 'generate');
    assert.match(generate?.text ?? '', /docs\/configuration\.md:\d+-\d+/);
    assert.match(generate?.text ?? '', /Question: where do the logs go\?/);
  });

  it('keeps the partial answer when the model stream breaks', async () => {
    const events = await collect(api.ask({ question: 'CUTOFF how is the flux capacitor configured?' }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    // what arrived before the cut: the LM API may drop parts still in flight when the provider fails
    assert.match(end.partial, /^From /, end.partial);
  });

  it('stops the model when the question is cancelled', async () => {
    const controller = new AbortController();
    const events = await collect(
      api.ask({ question: 'SLOWLY how is the flux capacitor configured?', signal: controller.signal }),
      e => {
        if (e.type === 'token') controller.abort();
      },
    );
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error' && end.error.kind === 'cancelled', JSON.stringify(end));
    assert.equal(events.filter(e => e.type === 'token').length, 1);
  });

  it('finds a saved edit with the next question, at the right lines', async () => {
    const uri = vscode.Uri.file(`${workspaceRoot()}/notes/meeting.txt`);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(doc.lineCount, 0), '\nThe hoverboard charger lives in the garage.\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    // the index follows saves (debounced): ask until the edit is found
    const hit = await until(async (): Promise<Citation | undefined> => {
      const done = (await collect(api.ask({ question: 'hoverboard charger', mode: 'search' }))).at(-1);
      return done?.type === 'done' ? done.citations.find(c => c.passage.path === 'notes/meeting.txt') : undefined;
    }, HOST_WAIT);
    assert.ok(hit, 'the saved edit is searchable');
    const saved = await vscode.workspace.openTextDocument(uri);
    assert.match(
      saved.getText(new vscode.Range(hit.passage.startLine - 1, 0, hit.passage.endLine, 0)),
      /hoverboard charger/,
    );
  });

  it('answers an empty question with a clear message and no model call', async () => {
    const before = fake.calls.length;
    const events = await collect(api.ask({ question: '  ' }));
    assert.equal(events.length, 1);
    assert.ok(events[0]?.type === 'error' && events[0].error.kind === 'bad-input');
    assert.equal(fake.calls.length, before);
  });
});
