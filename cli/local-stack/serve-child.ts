import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// `edgeplane serve` as a child process of `edgeplane start`: its JSON log goes to a file, the
// start command learns its URL from the `listening` line, and stopping it is a SIGTERM (so it
// drains like in production) followed by waiting for its exit. The IPC channel closes when the
// start command dies in any way, even SIGKILL, and serve then shuts down instead of lingering.

const CLI_ENTRY = fileURLToPath(new URL('../edgeplane.js', import.meta.url));

export interface ServeChild {
  url: string;
  stop(): Promise<void>;
}

export async function startServeChild(env: Record<string, string>, logFile: string, args: string[] = []): Promise<ServeChild> {
  const log = createWriteStream(logFile, { flags: 'a' });
  // Its own process group: Ctrl-C reaches the start command, which then stops the child once.
  const child: ChildProcess = spawn(process.execPath, [CLI_ENTRY, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) resolve(entry.url);
      } catch {
        // Not a log line; it is in the log file all the same.
      }
    });
    void exited.then((code) => reject(new Error(`edgeplane serve exited with code ${code} before listening:\n${stderr.trim()}\n(see ${logFile})`)));
  });

  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', killOnExit);
      log.end();
    },
  };
}
