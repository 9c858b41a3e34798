import assert from 'node:assert/strict';
import { endpointUrl, resolveEndpoint, type EndpointSettings } from '../../../src/providers/presets';

const settings = (over: Partial<EndpointSettings>): EndpointSettings => ({
  preset: 'custom',
  baseUrl: '',
  model: '',
  helperModel: '',
  azureApiVersion: '2024-10-21',
  ...over,
});

function endpoint(over: Partial<EndpointSettings>) {
  const r = resolveEndpoint(settings(over));
  assert.ok('endpoint' in r, JSON.stringify(r));
  return r.endpoint;
}

function problem(over: Partial<EndpointSettings>): string {
  const r = resolveEndpoint(settings(over));
  assert.ok('problem' in r, JSON.stringify(r));
  return r.problem;
}

describe('provider presets', () => {
  it('turns a Databricks workspace URL and endpoint name into <workspace>/serving-endpoints with the endpoint as model', () => {
    for (const baseUrl of [
      'https://adb-123.4.azuredatabricks.net',
      'https://adb-123.4.azuredatabricks.net/',
      'adb-123.4.azuredatabricks.net',
      'https://adb-123.4.azuredatabricks.net/serving-endpoints',
      'https://adb-123.4.azuredatabricks.net/?o=123#ml/endpoints',
    ]) {
      const e = endpoint({ preset: 'databricks', baseUrl, model: 'databricks-llama', helperModel: 'databricks-small' });
      assert.equal(e.baseURL, 'https://adb-123.4.azuredatabricks.net/serving-endpoints', baseUrl);
      assert.equal(e.model, 'databricks-llama');
      assert.equal(e.helperModel, 'databricks-small');
      assert.equal(e.keyRequired, true);
    }
  });

  it('names the missing Databricks setting and what goes in it', () => {
    assert.match(problem({ preset: 'databricks', model: 'x' }), /grounded\.model\.baseUrl: the workspace URL/);
    assert.match(
      problem({ preset: 'databricks', baseUrl: 'https://w.cloud.databricks.com' }),
      /grounded\.model\.name: the serving endpoint name/,
    );
  });

  it('fills the default base URLs of OpenAI, Ollama, vLLM and LM Studio, and OpenAI’s default model', () => {
    assert.deepEqual(
      (['openai', 'ollama', 'vllm', 'lmstudio'] as const)
        .map(preset => endpoint({ preset, model: preset === 'openai' ? '' : 'm' }))
        .map(e => [e.baseURL, e.model, e.keyRequired]),
      [
        ['https://api.openai.com/v1', 'gpt-4o-mini', true],
        ['http://localhost:11434/v1', 'm', false],
        ['http://localhost:8000/v1', 'm', false],
        ['http://localhost:1234/v1', 'm', false],
      ],
    );
    assert.equal(
      endpoint({ preset: 'ollama', baseUrl: 'http://gpu-box:11434/v1/', model: 'llama3.1', allowInsecure: true })
        .baseURL,
      'http://gpu-box:11434/v1',
    );
  });

  it('refuses plain http to another machine unless grounded.allowInsecureConnections is set, and allows it on loopback', () => {
    const message = problem({ preset: 'ollama', baseUrl: 'http://gpu-box:11434/v1', model: 'llama3.1' });
    assert.match(
      message,
      /^Ollama: http:\/\/gpu-box:11434 is plain http.*use https, or set grounded\.allowInsecureConnections/,
    );
    assert.match(
      problem({ preset: 'databricks', baseUrl: 'http://adb-1.azuredatabricks.net', model: 'e' }),
      /plain http/,
    );
    assert.equal(
      endpoint({ preset: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' }).baseURL,
      'http://127.0.0.1:11434/v1',
    );
    assert.equal(
      endpoint({ preset: 'custom', baseUrl: 'https://llm.example.com/v1', model: 'm' }).baseURL,
      'https://llm.example.com/v1',
    );
  });

  it('builds the Azure deployment URL with its api-version', () => {
    const e = endpoint({
      preset: 'azure',
      baseUrl: 'https://my-res.openai.azure.com/',
      model: 'gpt4o-prod',
      azureApiVersion: '2024-10-21',
    });
    assert.equal(e.baseURL, 'https://my-res.openai.azure.com/openai/deployments/gpt4o-prod');
    assert.deepEqual(e.azure, { endpoint: 'https://my-res.openai.azure.com', apiVersion: '2024-10-21' });
    assert.match(
      problem({ preset: 'azure', baseUrl: 'https://r.openai.azure.com', model: 'd', azureApiVersion: ' ' }),
      /azureApiVersion/,
    );
  });

  it('requires a base URL for a custom endpoint and rejects one that is not http(s)', () => {
    assert.match(problem({ model: 'm' }), /needs grounded\.model\.baseUrl/);
    assert.match(problem({ baseUrl: 'ftp://host/v1', model: 'm' }), /is not a URL/);
    assert.equal(endpoint({ baseUrl: 'http://127.0.0.1:9999/v1', model: 'm' }).baseURL, 'http://127.0.0.1:9999/v1');
  });

  it('refuses a base URL with a user name or password in it, which fetch would refuse on every request, without echoing it', () => {
    for (const preset of ['custom', 'ollama', 'databricks'] as const)
      for (const baseUrl of ['https://user:s3cret-pw@llm.example.com/v1', 'https://token@llm.example.com/v1']) {
        const said = problem({ preset, baseUrl, model: 'm' });
        assert.match(said, /grounded\.model\.baseUrl has a user name or password in it/);
        assert.doesNotMatch(said, /s3cret-pw|token/);
      }
  });

  it('does not echo the user name or password of a base URL that is no URL at all', () => {
    for (const baseUrl of ['https://user:s3cret-pw@llm.example.com:99999/v1', 'ftp://s3cret-pw@llm.example.com/v1']) {
      const said = problem({ preset: 'custom', baseUrl, model: 'm' });
      assert.match(said, /“(https|ftp):\/\/…@llm\.example\.com.*” is not a URL/);
      assert.doesNotMatch(said, /s3cret-pw/);
    }
  });

  it('serves Ollama under /v1 when its base URL is the server’s address alone, as OLLAMA_HOST gives it', () => {
    for (const [typed, baseURL] of [
      ['http://localhost:11434', 'http://localhost:11434/v1'],
      ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434/v1'],
      ['http://localhost:11434/chat/completions', 'http://localhost:11434/v1'],
      ['http://localhost:11434/v1', 'http://localhost:11434/v1'],
      ['https://proxy.example.com/ollama', 'https://proxy.example.com/ollama'],
    ])
      assert.equal(endpoint({ preset: 'ollama', baseUrl: typed, model: 'm' }).baseURL, baseURL, typed);
    // another preset's path is the user's to give: a server at the root stays at the root
    assert.equal(
      endpoint({ preset: 'custom', baseUrl: 'http://localhost:11434', model: 'm' }).baseURL,
      'http://localhost:11434',
    );
  });

  it('keeps a base URL’s query (a gateway’s api-version) out of the path, to be sent with every request', () => {
    const e = endpoint({ baseUrl: 'https://gw.example.com/models/?api-version=2024-05-01-preview#x', model: 'm' });
    assert.equal(e.baseURL, 'https://gw.example.com/models');
    assert.deepEqual(e.query, { 'api-version': '2024-05-01-preview' });
    assert.equal(endpoint({ baseUrl: 'https://gw.example.com/v1', model: 'm' }).query, undefined);
  });

  it('drops the operation’s path from a base URL pasted as the full URL to POST to, which the client appends itself', () => {
    for (const [typed, baseURL] of [
      ['http://localhost:1234/v1/chat/completions', 'http://localhost:1234/v1'],
      ['  http://localhost:11434/v1/chat/completions/  ', 'http://localhost:11434/v1'],
      ['https://api.openai.com/v1/embeddings', 'https://api.openai.com/v1'],
      ['https://gw.example.com/v1/Chat/Completions?api-version=2024-05-01', 'https://gw.example.com/v1'],
      ['https://gw.example.com/chat/completions/v1', 'https://gw.example.com/chat/completions/v1'],
    ])
      assert.equal(endpoint({ preset: 'lmstudio', baseUrl: typed, model: 'm' }).baseURL, baseURL, typed);
    const gateway = endpoint({
      baseUrl: 'https://gw.example.com/v1/chat/completions?api-version=2024-05-01',
      model: 'm',
    });
    assert.equal(
      endpointUrl(gateway, 'chat/completions').href,
      'https://gw.example.com/v1/chat/completions?api-version=2024-05-01',
    );
  });
});

describe('provider presets: input limit', () => {
  const azure = { preset: 'azure' as const, baseUrl: 'https://r.openai.azure.com', model: 'gpt-4o' };
  const databricks = { preset: 'databricks' as const, baseUrl: 'https://adb-1.2.azuredatabricks.net', model: 'e' };

  it('assumes 4,096 tokens for Ollama and LM Studio, which cut an over-long prompt silently, and 8,192 for unknown servers', () => {
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1' }).maxInputTokens, 4096);
    assert.equal(endpoint({ preset: 'lmstudio', model: 'qwen' }).maxInputTokens, 4096);
    assert.equal(endpoint({ preset: 'vllm', model: 'm' }).maxInputTokens, 8192);
    assert.equal(endpoint({ preset: 'custom', baseUrl: 'https://llm.example/v1', model: 'm' }).maxInputTokens, 8192);
  });

  it('assumes no limit for the hosted services, whose models take far more than the largest prompt', () => {
    assert.equal(endpoint({ preset: 'openai' }).maxInputTokens, undefined);
    assert.equal(endpoint(azure).maxInputTokens, undefined);
    assert.equal(endpoint(databricks).maxInputTokens, undefined);
  });

  it('takes grounded.model.maxInputTokens over the preset’s default, 0 meaning no limit', () => {
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: 32768 }).maxInputTokens, 32768);
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: 0 }).maxInputTokens, undefined);
    assert.equal(endpoint({ preset: 'openai', maxInputTokens: 16000 }).maxInputTokens, 16000);
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: null }).maxInputTokens, 4096);
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: -5 }).maxInputTokens, 4096);
    // what set the limit, for the message that refuses a question it cannot take
    assert.equal(
      endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: 2048 }).maxInputTokensSource,
      'setting',
    );
    assert.equal(
      endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: null }).maxInputTokensSource,
      'default',
    );
    assert.equal(endpoint({ preset: 'ollama', model: 'llama3.1', maxInputTokens: 0 }).maxInputTokensSource, undefined);
  });
});
