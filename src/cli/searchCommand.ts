import { parseArgs } from 'node:util';
import { passageRef, type Passage } from '../core/passage';
import { tokenize } from '../index';
import { positiveInt, requirePositional } from './cliArgs';
import type { CliIo } from './cliIo';
import { resolveFolders } from './folderArgs';
import { RETRIEVER_OPTIONS, RETRIEVER_USAGE, retrieverFromArgs, type OpenedRetriever } from './retrieverArgs';
import { escapeName } from './terminalText';

const USAGE = `grounded search "query" [--folder DIR]... ${RETRIEVER_USAGE} [-k N] [--json]`;
const SNIPPET_LINES = 3;
const SNIPPET_WIDTH = 120;

/**
 * `grounded search "query"`: the ranked passages from the folder's stored index (updated first), or from the remote
 * engine --retriever names, as a person or (with --json) a script reads them.
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
  const k = positiveInt(values.k, '-k', 10);
  const folders = await resolveFolders(values.folder);
  const opened = await retrieverFromArgs(values, folders, io, env, USAGE);
  const passages = await searchThenClose(opened, query, k, io.signal);
  if (values.json) {
    io.out(JSON.stringify(passages, null, 2) + '\n');
    return 0;
  }
  if (passages.length === 0) io.out('No passages match.\n');
  for (const p of passages) {
    io.out(
      `${escapeName(passageRef(p, p.startLine, p.endLine))}  ${p.score.toFixed(3)}${p.title ? '  ' + escapeName(p.title) : ''}\n`,
    );
    for (const line of snippet(p, query)) io.out(`    ${line}\n`);
  }
  return 0;
}

/** Searches, then closes the retriever (saving the local index); after a failure, closing cannot hide it. */
async function searchThenClose(
  opened: OpenedRetriever,
  query: string,
  k: number,
  signal: AbortSignal | undefined,
): Promise<Passage[]> {
  let passages: Passage[];
  try {
    passages = await opened.retriever.search(query, { k, signal });
  } catch (e) {
    await opened.close().catch(() => undefined);
    throw e;
  }
  await opened.close();
  return passages;
}

/** The passage's lines that share the most terms with the query (in file order), else its first lines. */
export function snippet(passage: Passage, query: string): string[] {
  const terms = new Set(tokenize(query));
  const lines = passage.text.split('\n');
  const scored = lines
    .map((line, i) => ({ i, hits: tokenize(line).filter(t => terms.has(t)).length }))
    .filter(l => l.hits > 0 && lines[l.i]?.trim())
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .slice(0, SNIPPET_LINES)
    .sort((a, b) => a.i - b.i)
    .map(l => lines[l.i] ?? '');
  const chosen = scored.length ? scored : lines.filter(l => l.trim()).slice(0, SNIPPET_LINES);
  return chosen.map(l => {
    const t = l.trim();
    return t.length > SNIPPET_WIDTH ? t.slice(0, SNIPPET_WIDTH - 1) + '…' : t;
  });
}
