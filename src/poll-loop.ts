/** Waits `ms`, or less when `signal` aborts; never rejects. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/**
 * Runs `round` again and again, `intervalMs` apart, from start() until stop(). stop() cuts the
 * wait short and resolves once the round in flight has ended; no round starts after it. `round`
 * handles its own errors: one that throws ends the loop.
 */
export class PollLoop {
  private loop: Promise<void> | null = null;
  private stopping: AbortController | null = null;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly sleep: Sleep = timerSleep,
  ) {}

  start(): void {
    if (this.loop) return;
    this.stopping = new AbortController();
    this.loop = this.run(this.stopping.signal);
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.stopping?.abort();
    this.loop = null;
    this.stopping = null;
    await loop;
  }

  private async run(stopped: AbortSignal): Promise<void> {
    while (!stopped.aborted) {
      await this.round();
      if (stopped.aborted) break;
      await this.sleep(this.intervalMs, stopped);
    }
  }
}
