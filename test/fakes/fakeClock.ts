import { realClock, type Clock } from '../../src/core/clock';

/** Sleeps without waiting, and records every delay asked for; its timers (silence limits) are the real ones. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
  }
  random(): number {
    return 0.5;
  }
  timer(ms: number, fire: () => void): () => void {
    return realClock.timer(ms, fire);
  }
}

/**
 * A FakeClock whose timers fire only when `advance` moves its time past them, so a test decides how long a model
 * was silent, whatever the machine's speed.
 */
export class VirtualClock extends FakeClock {
  private time = 0;
  private readonly timers = new Set<{ due: number; fire: () => void }>();

  override timer(ms: number, fire: () => void): () => void {
    const timer = { due: this.time + ms, fire };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** How long until the next timer set and not stopped fires; undefined when there is none. */
  get nextDueIn(): number | undefined {
    const dues = [...this.timers].map(t => t.due - this.time);
    return dues.length ? Math.min(...dues) : undefined;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of [...this.timers].sort((a, b) => a.due - b.due))
      if (timer.due <= this.time && this.timers.delete(timer)) timer.fire();
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
