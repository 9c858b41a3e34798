import type { Clock } from '../../src/core/clock';

/** Sleeps without waiting, and records every delay asked for. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
  }
  random(): number {
    return 0.5;
  }
}
