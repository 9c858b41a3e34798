import { isAbsolute } from 'node:path';
import type { Retriever } from '../core/ports';
import { isWebUrl, refusedRowsNotice, type RefusedPath } from './citablePath';
import { openableHere } from './realPathInside';

/**
 * `retriever`, its results left without the passages whose file here lies outside `folders` once links are followed:
 * a remote row's path is checked as text (no `..`, no absolute path), but a folder of the workspace that is a link
 * leading out would still have a chat anchor open a file outside. A web page's row, and a row whose file is not here
 * (the index was pushed from another machine), stay: nothing outside is opened for them. A row located by a relative
 * path (no workspace folder on disk is open to locate it in) is left out: an editor would open it from the root of the
 * file system.
 */
export function withinFolders<R extends Retriever>(
  retriever: R,
  folders: () => readonly string[],
  notice?: { source: string; onNotice?: (message: string) => void },
): R {
  const search = retriever.search.bind(retriever);
  retriever.search = async (query, options) => {
    const found = await search(query, options);
    const roots = folders();
    const inside = await Promise.all(found.map(p => isWebUrl(p.location) || openableHere(p.location, roots)));
    const refused: RefusedPath[] = found
      .filter((_, i) => !inside[i])
      .map(p => ({ path: p.path, reason: refusedBecause(p.location), id: p.id }));
    if (refused.length > 0) notice?.onNotice?.(refusedRowsNotice(notice.source, refused));
    return found.filter((_, i) => inside[i]);
  };
  return retriever;
}

const refusedBecause = (location: string): string =>
  isAbsolute(location) ? 'a link in the workspace leads it outside' : 'no workspace folder on disk is open to hold it';
