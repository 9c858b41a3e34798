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
 * How long a saved limit holds. The model behind a name may change (a serving endpoint redeployed with a model of a
 * longer input, an Ollama model pulled again), which nothing in the endpoint's replies tells; after this long, texts
 * are sent at full length again, and the limit is learned again if they are still refused.
 */
export const INPUT_LIMIT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** One saved limit: the characters, and when they were learned (ms since the epoch). */
interface SavedLimit {
  chars: number;
  savedAt: number;
}

/**
 * InputLimits in a small JSON file (beside the stored vectors): `{ "<model> <endpoint URL>": { chars, savedAt } }`.
 * A limit older than INPUT_LIMIT_MAX_AGE_MS, or saved without its date, is none (and dropped at the next save). A
 * file that cannot be read, or is not such an object, holds no limits; a save rewrites it whole through a temporary
 * file.
 */
export class InputLimitFile implements InputLimits {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<number | undefined> {
    return (await this.read())[key]?.chars;
  }

  set(key: string, chars: number): Promise<void> {
    const run = this.queue.then(async () => {
      const limits = { ...(await this.read()), [key]: { chars, savedAt: this.now() } };
      await mkdir(dirname(this.path), { recursive: true });
      await writeWhole(this.path, JSON.stringify(limits, null, 1));
    });
    this.queue = run.catch(() => undefined);
    return this.queue;
  }

  /** The limits in the file that are whole numbers of characters, saved less than the maximum age ago. */
  private async read(): Promise<Record<string, SavedLimit>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch {
      return {};
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const now = this.now();
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, SavedLimit] => {
        const { chars, savedAt } = (e[1] ?? {}) as Partial<Record<keyof SavedLimit, unknown>>;
        return (
          Number.isSafeInteger(chars) &&
          (chars as number) > 0 &&
          typeof savedAt === 'number' &&
          savedAt <= now &&
          now - savedAt < INPUT_LIMIT_MAX_AGE_MS
        );
      }),
    );
  }
}
