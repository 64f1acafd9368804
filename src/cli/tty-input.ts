/**
 * Where the UI reads its keys. Normally standard input; when that is a pipe (`tcpdump -w - |
 * rsttui -`, the capture arriving on it), the terminal itself, opened as /dev/tty, as termshark
 * and less do. Without a controlling terminal (cron, CI, ssh without -t) there is none: one line
 * says to use the headless commands.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';

export const NO_TERMINAL = 'the UI needs a terminal for its keys, and this process has none; use `rsttui flows -` for headless output';

export type KeyInput =
  | {
      ok: true;
      stream: NodeJS.ReadStream;
      /** the keys come from /dev/tty (standard input is not the terminal) */
      fromTty: boolean;
      /** close the terminal opened here (nothing when the keys come from standard input) */
      close(): void;
    }
  | { ok: false; error: string };

/** The key source for the UI: `stdin` when it is a terminal, else a new tty.ReadStream on /dev/tty. */
export function keyInput(stdin: NodeJS.ReadStream = process.stdin, openTty: () => number = () => openSync('/dev/tty', 'r')): KeyInput {
  if (stdin.isTTY) return { ok: true, stream: stdin, fromTty: false, close: () => {} };
  let fd: number;
  try {
    fd = openTty();
  } catch {
    return { ok: false, error: NO_TERMINAL };
  }
  if (!isatty(fd)) {
    closeSync(fd);
    return { ok: false, error: NO_TERMINAL };
  }
  const stream = new ReadStream(fd);
  return { ok: true, stream, fromTty: true, close: () => stream.destroy() };
}

/** Standard input carries data (a pipe or a redirected file), not a terminal, /dev/null or a socket. */
export function stdinHasData(fd = 0): boolean {
  if (isatty(fd)) return false;
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}
