import { terminalSafe } from '../shared/terminalText';

/** Where a CLI command writes; tests pass a recorder, `main.ts` passes the process streams (see `streamIo`). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Cancelled on Ctrl-C. */
  signal?: AbortSignal;
}

/** A command: parses its own arguments and resolves to an exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** What the CLI needs of process.stdout and process.stderr. */
export interface OutputStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The CliIo over two streams. Text for a terminal loses its escape sequences and control characters (a model's
 * answer or a file's text must not drive the terminal); text for a pipe or a file is written as it is.
 */
export function streamIo(stdout: OutputStream, stderr: OutputStream, signal?: AbortSignal): CliIo {
  const writer = (stream: OutputStream) =>
    stream.isTTY ? (text: string) => void stream.write(terminalSafe(text)) : (text: string) => void stream.write(text);
  return { out: writer(stdout), err: writer(stderr), signal };
}
