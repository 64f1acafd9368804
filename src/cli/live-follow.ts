/**
 * `--follow FILE...`: the files read as they grow (tail -F, src/read/follow.ts: on through rotation
 * and truncation; a FIFO read as the stream it is), the first capture among them as the live
 * capture, the others as firewall logs.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sniffKind } from '../read/detect.js';
import { follow } from '../read/follow.js';
import { UsageError } from './main.js';
import type { LiveInputs } from '../flows/live-session.js';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((r) => {
    if (signal.aborted) return r();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
    signal.addEventListener('abort', done);
  });

/**
 * A path's bytes as they come: a FIFO (or a character device) read as the stream it is, until its
 * writer closes it; a file followed (follow.ts), until `signal`.
 */
export async function* followChunks(path: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const st = await stat(path);
  if (!st.isFIFO() && !st.isCharacterDevice()) {
    // (tail -F: on through rotation and truncation)
    yield* follow(path, { signal, pollMs: 100 });
    return;
  }
  const s = createReadStream(path, { highWaterMark: 1 << 16 });
  const stop = (): void => { s.destroy(); };
  signal.addEventListener('abort', stop);
  try {
    for await (const c of s) yield c as Buffer;
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    signal.removeEventListener('abort', stop);
    s.destroy();
  }
}

/** What `--follow FILE...` reads: the first capture, the logs (sniffed by content, waiting for their first bytes). */
export async function followInputs(paths: readonly string[], names: Map<string, string>, signal: AbortSignal): Promise<LiveInputs> {
  const inputs: LiveInputs = { signal, logs: [] };
  for (const path of paths) {
    const fifo = (await stat(path)).isFIFO();
    // (a FIFO cannot be read twice: its first bytes are kept and handed on with the rest)
    const chunks = followChunks(path, signal);
    let head: Uint8Array;
    let rest: AsyncIterable<Uint8Array>;
    if (fifo) {
      const it = chunks[Symbol.asyncIterator]();
      const first = await it.next();
      head = first.done === true ? new Uint8Array(0) : first.value;
      rest = (async function* () {
        if (head.length) yield head;
        for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
      })();
    } else {
      head = await headOf(path, signal);
      rest = chunks;
    }
    const kind = sniffKind(head);
    const name = names.get(path) ?? basename(path);
    if ((kind === 'pcap' || kind === 'pcapng') && !inputs.capture) inputs.capture = { chunks: rest, name, path: fifo ? '-' : path };
    else if (kind === 'pcap' || kind === 'pcapng') throw new UsageError('--follow reads one capture (merge them with mergecap)');
    else inputs.logs!.push({ name, chunks: rest });
  }
  return inputs;
}

/** The first bytes of a file, waiting (until `signal`) for some to be written. */
async function headOf(path: string, signal: AbortSignal): Promise<Uint8Array> {
  const fd = await open(path, 'r');
  try {
    const b = Buffer.alloc(4096);
    for (;;) {
      const { bytesRead } = await fd.read(b, 0, b.length, 0);
      if (bytesRead >= 4 || signal.aborted) return b.subarray(0, bytesRead);
      await sleep(100, signal);
    }
  } finally {
    await fd.close();
  }
}
