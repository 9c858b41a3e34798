import { parseArgs } from 'node:util';
import { passageLabel, type Passage } from '../core/passage';
import { numberedLines, searchResultViews, type SearchResultView } from '../core/searchResults';
import { positiveInt, requirePositional } from './cliArgs';
import type { CliIo } from './cliIo';
import { refuseUnnamedWideFolder, resolveFolders } from './folderArgs';
import { RETRIEVER_OPTIONS, RETRIEVER_USAGE, retrieverFromArgs, type OpenedRetriever } from './retrieverArgs';
import { escapeName } from '../shared/terminalText';

const USAGE = `grounded search "query" [--folder DIR]... ${RETRIEVER_USAGE} [-k N] [--json]`;
/** The most passages -k asks for: more than a person reads or a script needs; the ranking holds k scores at once. */
const MAX_K = 10_000;

/**
 * `grounded search "query"`: the ranked passages from the folder's stored index (updated first), or from the remote
 * engine --retriever names, as a person reads them (`path:start-end` or `path:56`, score, the heading of the matched
 * lines, then those lines with their numbers, as chat's /search shows them) or, with --json, a script.
 */
export async function searchCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      folder: { type: 'string', multiple: true },
      ...RETRIEVER_OPTIONS,
      k: { type: 'string', short: 'k' },
      json: { type: 'boolean', default: false },
    },
  });
  const query = requirePositional([positionals.join(' ')].filter(Boolean), 'query', USAGE);
  const k = positiveInt(values.k, '-k', 10, MAX_K);
  const folders = await resolveFolders(values.folder);
  if (values.retriever === 'local') refuseUnnamedWideFolder(values.folder, folders);
  const opened = await retrieverFromArgs(values, folders, io, env, USAGE);
  const { passages, views } = await searchThenClose(opened, query, k, io.signal);
  if (values.json) {
    io.out(JSON.stringify(passages, null, 2) + '\n');
    return 0;
  }
  printSearchResults(passages, views, io);
  return 0;
}

/**
 * Ranked passages as a person reads them at a terminal: each as `path:start-end` (passageLabel), its score and the
 * heading of its matched lines, then those lines with their numbers (`views[i]` is `passages[i]`'s, see
 * searchResultViews); or that none matched. `grounded search` prints its results so, and `grounded ask` the results it
 * gives without a model.
 */
export function printSearchResults(passages: readonly Passage[], views: readonly SearchResultView[], io: CliIo): void {
  if (passages.length === 0) io.out('No passages match.\n');
  passages.forEach((p, i) => {
    const view = views[i];
    const heading = view?.heading ? '  ' + escapeName(view.heading) : '';
    io.out(`${escapeName(passageLabel(p, p.startLine, p.endLine))}  ${p.score.toFixed(3)}${heading}\n`);
    if (!view) return;
    for (const line of numberedLines(view.lines, view.startLine)) io.out(`    ${line}\n`);
  });
}

/**
 * Searches, then closes the retriever (saving the local index); after a failure, closing cannot hide it. The
 * results' matched lines are found before closing, with the index's term weights.
 */
async function searchThenClose(
  opened: OpenedRetriever,
  query: string,
  k: number,
  signal: AbortSignal | undefined,
): Promise<{ passages: Passage[]; views: SearchResultView[] }> {
  let result: { passages: Passage[]; views: SearchResultView[] };
  try {
    const passages = await opened.retriever.search(query, { k, signal });
    const weights = await opened.retriever.termWeights?.([query, ...passages.map(p => p.text)]);
    result = { passages, views: searchResultViews(passages, query, weights) };
  } catch (e) {
    await opened.close().catch(() => undefined);
    throw e;
  }
  await opened.close();
  return result;
}
