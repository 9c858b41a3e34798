import Module from 'node:module';
import { basename } from 'node:path';

/** An event as VS Code's `Event<T>`: subscribe with a listener, get a disposable; `fire` calls every listener. */
export class FakeEmitter<T> {
  private readonly listeners = new Set<(value: T) => unknown>();
  readonly event = (listener: (value: T) => unknown): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** A `vscode.Uri` of the file scheme (or another, whose `fsPath` is its path), as far as the index service reads one. */
/** `vscode.Position`, as far as the code under test makes and reads one. */
export class FakePosition {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

/** `vscode.Range` made from its four numbers, as the code under test makes one. */
export class FakeRange {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

export const fileUri = (fsPath: string, scheme = 'file') => ({
  scheme,
  fsPath,
  path: fsPath,
  toString: () => `${scheme}://${fsPath}`,
});

/** A status bar item that keeps what was set on it, and whether it was disposed. */
export interface FakeStatusBarItem {
  text: string;
  tooltip: string;
  disposed: boolean;
}

/**
 * The parts of the `vscode` module the workspace index service (src/vscode/workspaceIndexService.ts) and its status
 * item use, as plain objects a unit test drives: workspace folders and settings the test sets, the file watcher's,
 * folders' and settings' events the test fires, the status bar item it reads, the warnings shown.
 */
export function fakeVscodeWorkspace() {
  const watcher = {
    create: new FakeEmitter<ReturnType<typeof fileUri>>(),
    change: new FakeEmitter<ReturnType<typeof fileUri>>(),
    delete: new FakeEmitter<ReturnType<typeof fileUri>>(),
    disposed: false,
  };
  const folderChange = new FakeEmitter<unknown>();
  const configChange = new FakeEmitter<{ affectsConfiguration(section: string): boolean }>();
  const save = new FakeEmitter<{ uri: ReturnType<typeof fileUri> }>();
  /** Settings by full key (`grounded.index.exclude`), as the user and workspace settings resolve them. */
  const settings = new Map<string, unknown>();
  /** Settings one folder sets for itself (its `.vscode/settings.json`): folder path → full key → value. */
  const folderSettings = new Map<string, Map<string, unknown>>();
  const statusItems: FakeStatusBarItem[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const errors: string[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  let folders: { uri: ReturnType<typeof fileUri>; name: string; index: number }[] = [];

  const vscode = {
    EventEmitter: FakeEmitter,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    l10n: {
      t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[+i])),
    },
    commands: {
      registerCommand: (id: string, run: (...args: unknown[]) => unknown) => {
        commands.set(id, run);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: async (id: string, ...args: unknown[]) => commands.get(id)?.(...args),
    },
    window: {
      createStatusBarItem: () => {
        const item = {
          text: '',
          tooltip: '',
          disposed: false,
          show: () => undefined,
          dispose: () => (item.disposed = true),
        };
        statusItems.push(item);
        return item;
      },
      showWarningMessage: async (message: string) => void warnings.push(message),
      showInformationMessage: async (message: string) => void infos.push(message),
      showErrorMessage: async (message: string) => void errors.push(message),
      showQuickPick: async () => undefined,
      withProgress: <T>(_options: unknown, task: (progress: { report(value: unknown): void }) => Promise<T>) =>
        task({ report: () => undefined }),
    },
    workspace: {
      get workspaceFolders() {
        return folders.length > 0 ? folders : undefined;
      },
      createFileSystemWatcher: () => ({
        onDidCreate: watcher.create.event,
        onDidChange: watcher.change.event,
        onDidDelete: watcher.delete.event,
        dispose: () => (watcher.disposed = true),
      }),
      onDidSaveTextDocument: save.event,
      onDidChangeWorkspaceFolders: folderChange.event,
      onDidChangeConfiguration: configChange.event,
      getConfiguration: (section: string, scope?: { fsPath: string }) => ({
        get: <T>(key: string, fallback?: T): T | undefined => {
          const full = `${section}.${key}`;
          const own = scope && folderSettings.get(scope.fsPath);
          if (own?.has(full)) return own.get(full) as T;
          return settings.has(full) ? (settings.get(full) as T) : fallback;
        },
      }),
    },
  };

  return {
    vscode,
    watcher,
    save,
    settings,
    folderSettings,
    statusItems,
    warnings,
    infos,
    errors,
    /** Runs a command registered with the fake, as `vscode.commands.executeCommand` does. */
    execute: (id: string, ...args: unknown[]) => vscode.commands.executeCommand(id, ...args),
    /**
     * Replaces the workspace folders and fires onDidChangeWorkspaceFolders, as adding or removing a root does. A
     * folder is named after its path's last part unless given a name (as a .code-workspace file can), and is on disk
     * unless given another scheme (a remote file system's folder).
     */
    setFolders(paths: readonly (string | { path: string; name?: string; scheme?: string })[], fire = true): void {
      folders = paths.map((p, index) =>
        typeof p === 'string'
          ? { uri: fileUri(p), name: basename(p), index }
          : { uri: fileUri(p.path, p.scheme), name: p.name ?? basename(p.path), index },
      );
      if (fire) folderChange.fire({});
    },
    /** Changes settings (full keys) and fires onDidChangeConfiguration for them, as VS Code does. */
    configure(values: Record<string, unknown>): void {
      for (const [key, value] of Object.entries(values)) settings.set(key, value);
      const keys = Object.keys(values);
      configChange.fire({
        affectsConfiguration: section => keys.some(k => k === section || k.startsWith(`${section}.`)),
      });
    },
    /** How many listeners the service still holds on VS Code's events (none once it is disposed). */
    listeners: () =>
      [watcher.create, watcher.change, watcher.delete, folderChange, configChange, save].reduce(
        (n, e) => n + e.listenerCount,
        0,
      ),
  };
}

type Load = (request: string, ...rest: unknown[]) => unknown;

/** Serves `fake` to `require('vscode')` until the returned function is called (for modules the code loads later). */
export function serveVscode(fake: unknown): () => void {
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, ...rest) {
    return request === 'vscode' ? fake : load.call(this, request, ...rest);
  };
  return () => {
    loader._load = load;
  };
}

/**
 * Loads a fresh copy of `modulePath` (and of the src/vscode modules it imports) with `vscode` served by `fake`:
 * each test gets modules bound to its own fake.
 */
export function requireWithVscode<T>(modulePath: string, fake: unknown): T {
  for (const key of Object.keys(require.cache)) if (/[\\/]src[\\/]vscode[\\/]/.test(key)) delete require.cache[key];
  const restore = serveVscode(fake);
  try {
    return Module.createRequire(__filename)(modulePath) as T;
  } finally {
    restore();
  }
}
