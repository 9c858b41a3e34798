import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PRESET, resolveEndpoint } from '../../../src/providers/presets';

interface Setting {
  default?: unknown;
}
type Configuration = { properties?: Record<string, Setting> } | { properties?: Record<string, Setting> }[];

/** A setting's declaration in package.json, whether the settings are in one block or in categories. */
function declared(id: string): Setting | undefined {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as {
    contributes: { configuration: Configuration };
  };
  const blocks = [manifest.contributes.configuration].flat();
  return blocks.map(b => b.properties?.[id]).find(s => s !== undefined);
}

describe('the model preset when none is chosen', () => {
  it('is custom, in package.json and in code, so openai-compatible first asks for any base URL', () => {
    assert.equal(declared('grounded.model.preset')?.default, 'custom');
    assert.equal(DEFAULT_PRESET, 'custom');
  });

  it('is custom for embeddings too, so a hybrid or pgvector set-up does not first ask for a Databricks URL', () => {
    assert.equal(declared('grounded.embeddings.preset')?.default, 'custom');
  });

  it('asks for a base URL, not for a Databricks workspace URL', () => {
    const r = resolveEndpoint({
      preset: DEFAULT_PRESET,
      baseUrl: '',
      model: 'm',
      helperModel: '',
      azureApiVersion: '',
    });
    assert.ok('problem' in r);
    assert.match(r.problem, /^OpenAI-compatible endpoint needs grounded\.model\.baseUrl/);
    assert.doesNotMatch(r.problem, /Databricks/);
  });
});
