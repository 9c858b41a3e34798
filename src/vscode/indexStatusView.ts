import type { IndexStats } from '../index';

/** What the status item shows: the index as the service knows it. */
export type IndexStatusState =
  /** Before the first sync has told anything. */
  | { kind: 'starting' }
  /** A sync is reading files: `done` of `total`, the total still growing while the walk finds files. */
  | { kind: 'indexing'; done: number; total: number; growing: boolean }
  | { kind: 'ready'; folders: number; stats: IndexCounts };

/** The counts the item shows. */
export interface IndexCounts extends Pick<IndexStats, 'files' | 'chunks' | 'builtAt'> {
  skipped: Partial<IndexStats['skipped']>;
}

export type IndexPickAction = 'rebuild' | 'cancel' | 'showLog' | 'selectModel';

/** A row of the status item's quick pick: a status line (no action) or a command. */
export interface IndexPick {
  label: string;
  description?: string;
  detail?: string;
  action?: IndexPickAction;
}

export interface IndexStatusView {
  text: string;
  tooltip: string;
  /** What a screen reader says for the item (its text without icons, and what a click does). */
  accessibilityLabel: string;
  picks: IndexPick[];
}

/** Fills `{0}`, `{1}`… as `vscode.l10n.t` does; the extension passes that one so every string can be translated. */
export type Translate = (message: string, ...args: (string | number)[]) => string;
const fill: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => String(args[+i] ?? m));

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The one status item of the index and its quick pick, from the index state: the file count when idle, real
 * progress while indexing (a percentage once the total is known, the files read while the walk still finds more),
 * and Rebuild Index (Cancel Indexing while a sync runs), Show Log and Select Model under the status line.
 */
export function indexStatusView(state: IndexStatusState, t: Translate = fill): IndexStatusView {
  const actions: IndexPick[] = [
    state.kind === 'indexing'
      ? { label: `$(close) ${t('Cancel Indexing')}`, action: 'cancel' }
      : { label: `$(refresh) ${t('Rebuild Index')}`, description: t('read every file again'), action: 'rebuild' },
    { label: `$(output) ${t('Show Log')}`, description: t('the Grounded output'), action: 'showLog' },
    {
      label: `$(settings-gear) ${t('Select Model')}`,
      description: t('where answers come from'),
      action: 'selectModel',
    },
  ];
  const click = t('Click for index actions.');
  switch (state.kind) {
    case 'starting': {
      const status = t('The workspace index is not built yet.');
      return {
        text: '$(book) Grounded',
        tooltip: `Grounded: ${status}`,
        accessibilityLabel: `Grounded: ${status} ${click}`,
        picks: [{ label: `$(book) ${status}` }, ...actions],
      };
    }
    case 'indexing': {
      const known = !state.growing && state.total > 0;
      const percent = known ? Math.floor((100 * Math.min(state.done, state.total)) / state.total) : 0;
      const short = known ? t('indexing {0}%', percent) : t('indexing, {0} files read', count(state.done));
      const long = known
        ? t('Indexing the workspace: {0} of {1} files read ({2}%).', count(state.done), count(state.total), percent)
        : t('Indexing the workspace: {0} files read, more still being found.', count(state.done));
      return {
        text: `$(sync~spin) Grounded: ${short}`,
        tooltip: `Grounded: ${long}`,
        accessibilityLabel: `Grounded: ${long} ${click}`,
        picks: [{ label: `$(sync~spin) ${long}` }, ...actions],
      };
    }
    case 'ready': {
      const { stats } = state;
      if (state.folders === 0) {
        const status = t('No folder is open, so there is nothing to index.');
        return {
          text: '$(book) Grounded',
          tooltip: `Grounded: ${status}`,
          accessibilityLabel: `Grounded: ${status} ${click}`,
          picks: [{ label: `$(book) ${status}` }, ...actions.filter(a => a.action !== 'rebuild')],
        };
      }
      const files = stats.files === 1 ? t('1 file') : t('{0} files', count(stats.files));
      const chunks = stats.chunks === 1 ? t('1 chunk') : t('{0} chunks', count(stats.chunks));
      const skipped = Object.values(stats.skipped).reduce((a: number, b) => a + (b ?? 0), 0);
      const skippedText = skipped ? t('{0} skipped', count(skipped)) : t('none skipped');
      const updated = t('Last update: {0}', new Date(stats.builtAt).toLocaleString());
      const status = `${files}, ${chunks}, ${skippedText}`;
      return {
        text: `$(book) Grounded: ${files}`,
        tooltip: `${t('Grounded index')}: ${status}. ${updated}`,
        accessibilityLabel: `${t('Grounded index')}: ${status}. ${click}`,
        picks: [
          {
            label: `$(book) ${status}`,
            detail:
              stats.files === 0
                ? t('Nothing here can be searched yet: add text files (docs, code, notes) to the workspace.')
                : updated,
          },
          ...actions,
        ],
      };
    }
    default: {
      const unknown: never = state;
      throw new Error(`unhandled index state ${JSON.stringify(unknown)}`);
    }
  }
}
