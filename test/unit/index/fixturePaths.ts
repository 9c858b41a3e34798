import { join, resolve } from 'node:path';

/** test/fixtures/index, from the compiled test's folder (out/test/unit/…). */
export const INDEX_FIXTURES = resolve(__dirname, '../../../../test/fixtures/index');
export const FIXTURE_WORKSPACE = join(INDEX_FIXTURES, 'workspace');
export const BEIR_TINY = join(INDEX_FIXTURES, 'beir-tiny');
