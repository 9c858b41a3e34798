/** Where a CLI command writes; tests pass a recorder, `main.ts` passes the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Cancelled on Ctrl-C. */
  signal?: AbortSignal;
}

/** A command: parses its own arguments and resolves to an exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;
