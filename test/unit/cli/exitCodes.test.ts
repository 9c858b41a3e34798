import assert from 'node:assert/strict';
import { exitCodeFor } from '../../../src/cli/askCommand';
import { ask } from '../../../src/core/ask';
import type { ErrorKind } from '../../../src/core/errors';
import type { Retriever } from '../../../src/core/ports';
import { FakeClock } from '../../fakes/fakeClock';
import { collect } from '../../support/collect';

describe('CLI exit codes', () => {
  it('gives each error kind the code the CLI documents', () => {
    // `satisfies` makes a new kind fail to compile here until its code is written down
    const documented = {
      index: 1,
      unknown: 1,
      'bad-input': 2,
      auth: 3,
      'rate-limit': 3,
      network: 3,
      timeout: 3,
      'model-refused': 3,
      'no-model': 3,
      'stream-broken': 4,
      cancelled: 130,
    } satisfies Record<ErrorKind, number>;
    for (const [kind, code] of Object.entries(documented)) assert.equal(exitCodeFor(kind as ErrorKind), code, kind);
  });

  it('exits 1 for an unexpected exception inside ask, as a general failure, not 3 as a network failure', async () => {
    const broken: Retriever = {
      search: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'text')")),
    };
    const events = await collect(
      ask({ question: 'how is logging configured?' }, { retriever: broken, clock: new FakeClock() }),
    );
    const last = events.at(-1);
    if (last?.type !== 'error') return assert.fail(`the answer ends with an error, not ${last?.type}`);
    assert.equal(last.error.kind, 'unknown');
    assert.equal(exitCodeFor(last.error.kind), 1);
  });
});
