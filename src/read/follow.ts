/**
 * `tail -F` for captures and logs that are still being written (`rsttui --follow FILE`, and the
 * file a capture tool writes with `-w FILE`): the bytes of PATH as they are appended, each byte
 * once and in order.
 *
 * - The file need not exist yet: it is waited for (notice `waiting`, then `opened`).
 * - Rotation (PATH now names another file, e.g. `mv log log.1 && touch log`): the old file is read
 *   to its end, then the new one from its start (notice `rotated`). While PATH names nothing (moved
 *   away, not yet made again) the old file is still followed, as a writer may still append to it.
 * - Truncation (the file is now shorter than what was read): reading starts again at 0 (notice
 *   `truncated`). A file truncated and then written past the old position between two looks
 *   cannot be told from one that grew (as with tail -F); copytruncate rotation can lose or repeat
 *   the bytes written in that window.
 *
 * Changes are noticed through fs.watch on the file's directory (inotify on Linux), with a poll
 * every `pollMs` as well, since watch is unreliable on some filesystems (NFS, some FUSE and
 * container mounts) and says nothing of writes through a renamed file. Each look is one fstat; a
 * read takes at most `chunkBytes` and only what the file holds, so the cost is linear in the bytes.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export type FollowNoticeKind = 'waiting' | 'opened' | 'rotated' | 'truncated';

export interface FollowNotice {
  kind: FollowNoticeKind;
  path: string;
  /** one line for the user, e.g. "capture.pcap was truncated: reading it again from the start" */
  message: string;
}

export interface FollowOptions {
  /** how often to look when no change is reported (default 250 ms) */
  pollMs?: number;
  /** read the file from its start (default true: a capture needs its header); false: only what is appended after the first open */
  fromStart?: boolean;
  /** ends the iteration at once */
  signal?: AbortSignal;
  onNotice?: (n: FollowNotice) => void;
  /** once this settles, read what the file holds and end (the writer has finished, e.g. the capture tool exited) */
  drainOn?: PromiseLike<unknown>;
  /** largest chunk read at once (default 1 MiB) */
  chunkBytes?: number;
}

/** Wakes the follower: a watch event, the poll timer, an abort or the drain promise. */
class Waker {
  private pending = false;
  private wake: (() => void) | undefined;
  readonly poke = (): void => {
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    } else this.pending = true;
  };
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

const isMissing = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** Watch PATH's directory (events for any name wake the follower: a rename names the new name). */
function watchDir(path: string, poke: () => void): FSWatcher | undefined {
  try {
    const w = watch(dirname(path), { persistent: false }, poke);
    w.on('error', () => w.close()); // (e.g. the directory was removed): the poll goes on
    return w;
  } catch {
    return undefined; // no directory yet, or no inotify watches left: poll only
  }
}

export async function* follow(path: string, opts: FollowOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const pollMs = opts.pollMs ?? 250;
  const chunk = Math.max(4096, opts.chunkBytes ?? 1 << 20);
  const notice = (kind: FollowNoticeKind, message: string): void => opts.onNotice?.({ kind, path, message });
  const waker = new Waker();
  let draining = false;
  opts.drainOn?.then(
    () => ((draining = true), waker.poke()),
    () => ((draining = true), waker.poke()),
  );
  const signal = opts.signal;
  signal?.addEventListener('abort', waker.poke, { once: true });
  let watcher = watchDir(path, waker.poke);
  let fh: FileHandle | undefined;
  let ino = -1;
  let dev = -1;
  let pos = 0;
  let first = true;
  let waited = false;
  /** PATH names another file: read the old one once more, then switch */
  let rotating = false;
  try {
    for (;;) {
      if (signal?.aborted) return;
      // (the writer had finished before this pass began: what this pass finds at the end is all there is)
      const lastPass = draining;
      if (fh === undefined) {
        try {
          fh = await open(path, 'r');
        } catch (e) {
          if (!isMissing(e)) throw e;
          if (lastPass) return;
          if (draining) continue;
          if (!waited) notice('waiting', `${path} does not exist yet: waiting for it`);
          waited = true;
          first = false; // (a file that appears later is new: read it whole)
          await waker.wait(pollMs);
          watcher ??= watchDir(path, waker.poke);
          continue;
        }
        const st = await fh.stat();
        ino = st.ino;
        dev = st.dev;
        pos = first && opts.fromStart === false ? st.size : 0;
        if (waited) notice('opened', `${path} appeared: reading it`);
        first = false;
        waited = false;
      }
      const st = await fh.stat();
      if (st.size > pos || !st.isFile()) {
        const want = st.isFile() ? Math.min(chunk, st.size - pos) : chunk;
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, pos);
        if (bytesRead > 0) {
          pos += bytesRead;
          yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
          continue;
        }
      } else if (st.size < pos) {
        notice('truncated', `${path} was truncated: reading it again from the start`);
        pos = 0;
        continue;
      }
      // at the end of what the file holds
      if (lastPass && !rotating) return;
      let byName: Awaited<ReturnType<typeof stat>> | undefined;
      try {
        byName = await stat(path);
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
      if (byName !== undefined && (byName.ino !== ino || byName.dev !== dev)) {
        if (!rotating) {
          rotating = true; // one more look at the old file: its writer may have added to it since
          continue;
        }
        rotating = false;
        await fh.close();
        fh = undefined;
        notice('rotated', `${path} was replaced by a new file (rotated): reading the new one from its start`);
        continue;
      }
      rotating = false;
      if (draining) continue; // (one more pass: the writer may have written since this one looked)
      await waker.wait(pollMs);
    }
  } finally {
    signal?.removeEventListener('abort', waker.poke);
    watcher?.close();
    await fh?.close();
  }
}
