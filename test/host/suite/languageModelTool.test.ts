import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateGrounded, workspaceRoot } from './hostHelpers';

const valueOf = (part: unknown): string => {
  const value = (part as { value?: unknown }).value;
  assert.equal(typeof value, 'string', `a text part: ${JSON.stringify(part)}`);
  return value as string;
};

describe('the grounded_search language model tool in a real VS Code', () => {
  before(async () => {
    await activateGrounded();
  });

  it('is registered with the schema and tags of its manifest entry', () => {
    const info = vscode.lm.tools.find(t => t.name === 'grounded_search');
    assert.ok(info, `registered tools: ${vscode.lm.tools.map(t => t.name).join(', ')}`);
    assert.deepEqual((info.inputSchema as { required?: string[] }).required, ['query']);
    assert.ok(info.tags.includes('search'));
    assert.match(info.description, /path:start-end/);
  });

  it('returns passages of the fixture workspace, each headed by a range whose lines it quotes, numbered as in the file', async () => {
    const result = await vscode.lm.invokeTool('grounded_search', {
      input: { query: 'flux capacitor charged', maxResults: 3 },
      toolInvocationToken: undefined,
    });
    const [summary, ...blocks] = result.content.map(valueOf);
    assert.match(summary ?? '', /passages? from the workspace for “flux capacitor charged”/);
    const block = blocks.find(b => b.startsWith('docs/configuration.md:'));
    assert.ok(block, blocks.map(b => b.split('\n')[0]).join('; '));
    const [, start, end] = /^docs\/configuration\.md:(\d+)-(\d+)/.exec(block) ?? [];
    const lines = (await readFile(join(workspaceRoot(), 'docs/configuration.md'), 'utf8')).split('\n');
    // each line after its number in the file, between the fence lines
    const body = block.split('\n').slice(2, -1);
    assert.equal(body.length, Number(end) - Number(start) + 1, block);
    for (const line of body) {
      const [, n = '', text = ''] = /^\s*(\d+)(?: {2}(.*))?$/.exec(line) ?? [];
      assert.equal(text, (lines[Number(n) - 1] ?? '').trimEnd(), `line ${n} of the block:\n${block}`);
    }
    // and the header names the line that says it
    const [, best = ''] = /\(best match: line (\d+)\)/.exec(block.split('\n')[0] ?? '') ?? [];
    assert.match(lines[Number(best) - 1] ?? '', /flux capacitor must be charged/, block.split('\n')[0]);
    assert.ok(!blocks.some(b => b.startsWith('ignored/')), 'a git-ignored file is not searched');
  });
});
