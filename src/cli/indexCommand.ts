import { parseArgs } from 'node:util';
import { SKIP_REASONS } from '../index/discovery';
import { WorkspaceIndex } from '../index/workspaceIndex';
import type { CliIo } from './cliIo';
import { resolveFolders } from './folderArgs';

/** `grounded index [--folder DIR]... [--json]`: builds the index and reports what went in. */
export async function indexCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { folder: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
  });
  const folders = await resolveFolders(values.folder);
  const index = await WorkspaceIndex.build(folders, { signal: io.signal });
  const stats = index.stats();
  if (values.json) {
    io.out(JSON.stringify({ folders, ...stats }, null, 2) + '\n');
    return 0;
  }
  const skipped = SKIP_REASONS.filter(r => stats.skipped[r] > 0).map(r => `${r} ${stats.skipped[r]}`);
  io.out(`folders   ${folders.join(', ')}\n`);
  io.out(`files     ${stats.files}\n`);
  io.out(`chunks    ${stats.chunks}\n`);
  io.out(`skipped   ${skipped.length ? skipped.join(', ') : 'none'}\n`);
  io.out(`discover  ${stats.timings.discoverMs.toFixed(0)} ms\n`);
  io.out(`index     ${stats.timings.indexMs.toFixed(0)} ms\n`);
  return 0;
}
