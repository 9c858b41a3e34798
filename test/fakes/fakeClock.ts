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

/** Time that moves only when `advance` is called, firing the repeating timers that fall due (the keeper's clock). */
export class ManualClock {
  private time = 0;
  private readonly timers = new Set<{ ms: number; next: number; tick: () => void }>();

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { ms, next: this.time + ms, tick };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** The periods of the repeating timers set and not stopped. */
  get repeating(): number[] {
    return [...this.timers].map(t => t.ms);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers)
      for (; timer.next <= this.time && this.timers.has(timer); timer.next += timer.ms) timer.tick();
  }
}
