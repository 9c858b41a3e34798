import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeWhole } from '../shared/writeWhole';

/** The characters per text an embeddings endpoint was found to take, by endpoint and model, kept across sessions. */
export interface InputLimits {
  /** The limit saved for `key`, or undefined when there is none. */
  get(key: string): Promise<number | undefined>;
  /** Saves `chars` for `key`; never rejects (a limit that is not saved is only learned again). */
  set(key: string, chars: number): Promise<void>;
}

/**
 * InputLimits in a small JSON file (beside the stored vectors): `{ "<model> <endpoint URL>": chars }`. A file that
 * cannot be read, or is not such an object, holds no limits; a save rewrites it whole through a temporary file.
 */
export class InputLimitFile implements InputLimits {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async get(key: string): Promise<number | undefined> {
    return (await this.read())[key];
  }

  set(key: string, chars: number): Promise<void> {
    const run = this.queue.then(async () => {
      const limits = { ...(await this.read()), [key]: chars };
      await mkdir(dirname(this.path), { recursive: true });
      await writeWhole(this.path, JSON.stringify(limits, null, 1));
    });
    this.queue = run.catch(() => undefined);
    return this.queue;
  }

  /** The limits in the file that are whole numbers of characters; none when it cannot be read. */
  private async read(): Promise<Record<string, number>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch {
      return {};
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, number] => Number.isSafeInteger(e[1]) && (e[1] as number) > 0),
    );
  }
}
