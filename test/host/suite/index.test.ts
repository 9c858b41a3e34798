import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Passage } from '../../../src/core/passage';
import type { GroundedApi } from '../../../src/extension';
import { until } from '../../support/until';
import { activateGrounded, HOST_WAIT, lastEvent, workspaceRoot } from './hostHelpers';

/** The passages a `search`-mode question cites (none when nothing matches). */
async function searchCitations(api: GroundedApi, question: string): Promise<Passage[]> {
  const last = await lastEvent(api.ask({ question, mode: 'search' }));
  return last?.type === 'done' ? last.citations.map(c => c.passage) : [];
}

/** Asks `question` until `found` holds for the passages it cites; fails the test if it never does. */
async function searchUntil(api: GroundedApi, question: string, found: (ps: Passage[]) => boolean): Promise<void> {
  assert.ok(
    await until(async () => found(await searchCitations(api, question)), HOST_WAIT),
    `"${question}" is still not as expected`,
  );
}

describe('the workspace index in a real VS Code', function () {
  let api: GroundedApi;

  before(async () => {
    api = await activateGrounded();
    await api.indexReport(); // the first sync is done
  });

  it('finds a saved edit, cited at the lines that hold it', async () => {
    const uri = vscode.Uri.file(join(workspaceRoot(), 'src', 'server.ts'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(doc.lineCount, 0), '\n// The quokka throttle caps requests per minute.\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    await searchUntil(api, 'quokka throttle', ps => ps.some(p => p.path === 'src/server.ts'));
    const hit = (await searchCitations(api, 'quokka throttle')).find(p => p.path === 'src/server.ts');
    assert.ok(hit);
    const saved = await vscode.workspace.openTextDocument(uri);
    assert.match(saved.getText(new vscode.Range(hit.startLine - 1, 0, hit.endLine, 0)), /quokka throttle/);
  });

  it('picks up a file created outside the editor, and forgets it once deleted', async () => {
    const uri = vscode.Uri.file(join(workspaceRoot(), 'notes', 'zeppelin.txt'));
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from('Zeppelin hangar inventory\n\nThe zeppelin moors at hangar nine.\n'),
    );
    await searchUntil(api, 'zeppelin hangar', ps => ps.some(p => p.path === 'notes/zeppelin.txt' && p.startLine === 1));
    await vscode.workspace.fs.delete(uri);
    await searchUntil(api, 'zeppelin hangar', ps => !ps.some(p => p.path === 'notes/zeppelin.txt'));
  });

  it('rebuilds a corrupt store with a notice, and still answers', async function () {
    const report = await api.indexReport();
    if (!report.storeDir) this.skip(); // the extension was activated without storage (no storageUri wired)
    const manifest = join(report.storeDir, 'manifest.bin');
    await readFile(manifest); // the first sync saved it
    // Changes from earlier tests are saved 500 ms after they land: wait until the store is quiet, so that the
    // corruption below is what the next sync reads (as at the next start), not something a pending save overwrites.
    for (let last = 0, quietMs = 0; quietMs < 1200; quietMs += 100) {
      const mtime = (await stat(manifest)).mtimeMs;
      if (mtime !== last) [last, quietMs] = [mtime, 0];
      await new Promise(r => setTimeout(r, 100));
    }
    await writeFile(manifest, 'not an index');
    // A settings change resyncs from the store, as the next window would. User settings, not workspace ones:
    // writing .vscode/settings.json would be a workspace edit, saved over the corrupt store before the sync reads it.
    const config = vscode.workspace.getConfiguration('grounded.index');
    await config.update('maxFileSizeKB', 2048, vscode.ConfigurationTarget.Global);
    try {
      await until(async () => (await api.indexReport()).notices.some(n => /rebuilt/.test(n)), HOST_WAIT);
      const after = await api.indexReport();
      assert.ok(
        after.notices.some(n => /rebuilt the workspace index/.test(n)),
        JSON.stringify(after.notices),
      );
      assert.ok((await readFile(manifest)).subarray(0, 4).equals(Buffer.from('GRND')), 'the store was written again');
      await searchUntil(api, 'flux capacitor', ps => ps.length > 0);
    } finally {
      await config.update('maxFileSizeKB', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
