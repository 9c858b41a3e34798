import { parseArgs } from 'node:util';
import { skipNotes, skippedCounts } from '../index';
import type { CliIo } from './cliIo';
import { refuseUnnamedWideFolder, resolveFolders } from './folderArgs';
import { openIndex } from './openIndex';
import { pushCommand } from './pushCommand';
import { escapeName } from '../shared/terminalText';
import { settingFlags } from './terminalError';

/** `grounded index [--folder DIR]... [--store DIR] [--rebuild] [--json]`: builds or updates the stored index. */
export async function indexCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.some(a => a === '--target' || a.startsWith('--target='))) return pushCommand(args, io);
  const { values } = parseArgs({
    args: [...args],
    options: {
      folder: { type: 'string', multiple: true },
      store: { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const folders = await resolveFolders(values.folder);
  refuseUnnamedWideFolder(values.folder, folders);
  const retriever = await openIndex(folders, values.store, io);
  const t0 = performance.now();
  const stats = await retriever.refresh({ fromScratch: values.rebuild });
  await retriever.flush();
  const totalMs = performance.now() - t0;
  // an index that could not be saved (a full disk) is this command's failure: its notice went to stderr
  const code = stats.saveProblem ? 1 : 0;
  if (values.json) {
    io.out(JSON.stringify({ folders, ...stats, totalMs }, null, 2) + '\n');
    return code;
  }
  const skipped = skippedCounts(stats.skipped);
  io.out(`folders   ${folders.map(escapeName).join(', ')}\n`);
  io.out(`files     ${stats.files}\n`);
  io.out(`chunks    ${stats.chunks}\n`);
  // the files the walk found: read (skipped ones too, as a binary file is read to learn it is one) or unchanged
  const found = stats.filesRead + stats.filesUnchanged;
  io.out(`read      ${stats.filesRead} of ${found} files found, ${stats.filesUnchanged} unchanged\n`);
  io.out(`skipped   ${skipped.length ? skipped.join(', ') : 'none'}\n`);
  for (const note of skipNotes(stats.skipped)) io.out(`note      ${settingFlags(note)}\n`);
  io.out(`discover  ${stats.timings.discoverMs.toFixed(0)} ms\n`);
  const { indexMs, readMs, saveMs, threads } = stats.timings;
  io.out(
    `index     ${indexMs.toFixed(0)} ms (read ${readMs.toFixed(0)} ms${threads > 1 ? ` on ${threads} threads` : ''}, save ${saveMs.toFixed(0)} ms)\n`,
  );
  io.out(`total     ${totalMs.toFixed(0)} ms\n`);
  return code;
}
