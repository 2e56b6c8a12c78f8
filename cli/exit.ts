// Ending the CLI. process.exit() drops whatever stdout and stderr still hold when they are pipes
// (their writes are asynchronous): a reader of `edge decide` lost most of its lines. So the exit
// waits until both streams have handed every queued byte to the reader (or failed trying).

function written(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  // A write's callback runs once every write queued before it has been flushed, or with the error
  // (EPIPE when the reader is gone) that ends the stream.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Exits with `code` once stdout and stderr are flushed. */
export async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}
