import { describe, expect, it } from 'vitest';
import { PollLoop, timerSleep } from './poll-loop';

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Lets every promise continuation already queued run (the loop here waits on nothing else). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A loop whose rounds and waits the test ends by hand. */
function handLoop() {
  const rounds: Array<ReturnType<typeof deferred>> = [];
  const waits: Array<ReturnType<typeof deferred> & { ms: number; signal: AbortSignal }> = [];
  const loop = new PollLoop(
    () => {
      rounds.push(deferred());
      return rounds.at(-1)!.promise;
    },
    250,
    (ms, signal) => {
      const wait = { ...deferred(), ms, signal };
      signal.addEventListener('abort', wait.resolve);
      waits.push(wait);
      return wait.promise;
    },
  );
  return { loop, rounds, waits };
}

describe('PollLoop', () => {
  it('runs a round at start, then waits the interval before each next one', async () => {
    const { loop, rounds, waits } = handLoop();
    loop.start();
    loop.start();
    await settle();
    expect(rounds).toHaveLength(1);
    rounds[0]!.resolve();
    await settle();
    expect(waits.map((wait) => wait.ms)).toEqual([250]);
    expect(rounds).toHaveLength(1);
    waits[0]!.resolve();
    await settle();
    expect(rounds).toHaveLength(2);
    rounds[1]!.resolve();
    await loop.stop();
  });

  it('stop() cuts the wait short, and no round starts after it, even when the wait ends late', async () => {
    const { loop, rounds, waits } = handLoop();
    loop.start();
    await settle();
    rounds[0]!.resolve();
    await settle();
    await loop.stop();
    expect(waits[0]!.signal.aborted).toBe(true);
    waits[0]!.resolve();
    await settle();
    expect(rounds).toHaveLength(1);
    expect(waits).toHaveLength(1);
  });

  it('stop() during a round resolves once that round has ended, and asks for no wait', async () => {
    const { loop, rounds, waits } = handLoop();
    loop.start();
    await settle();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    rounds[0]!.resolve();
    await stopping;
    expect(stopped).toBe(true);
    expect(waits).toHaveLength(0);
    expect(rounds).toHaveLength(1);
  });

  it('starts again after a stop', async () => {
    const { loop, rounds } = handLoop();
    loop.start();
    await settle();
    rounds[0]!.resolve();
    await loop.stop();
    loop.start();
    await settle();
    expect(rounds).toHaveLength(2);
    rounds[1]!.resolve();
    await loop.stop();
  });
});

describe('timerSleep', () => {
  it('ends at once when its signal aborts, long before its time', async () => {
    const stopping = new AbortController();
    const sleeping = timerSleep(3_600_000, stopping.signal);
    stopping.abort();
    await expect(sleeping).resolves.toBeUndefined();
    await expect(timerSleep(3_600_000, stopping.signal)).resolves.toBeUndefined();
  });

  it('ends by itself after its time', async () => {
    await expect(timerSleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});
