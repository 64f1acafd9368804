/**
 * The flow-lines worker (`flows --format ndjson` of a large loaded dataset, flow-share.ts
 * writeFlowLines): it takes blocks of connections from the shared counter alongside the main
 * thread, encodes their lines with the same encoder over the shared columns, and posts each
 * block's bytes. The firewall arrays are encoded from the shared event chunks, their text read
 * back from the logs by a reader of its own (it opens the files itself; a gzip or stdin log's
 * lines are in the chunks).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { FlowLineEncoder, type FlowSource } from './flow-bytes.js';
import { FirewallBytes } from './fw-bytes.js';
import { C_DONE, C_NEXT, C_POSTED, encodeBlock, sharedFlows, type FlowLinesTask, type LinesMessage } from './flow-share.js';
import { CHUNK_BITS, FwTable } from '../flows/fw-table.js';
import { LogText } from '../flows/log-text.js';
import type { FwChunk } from '../read/fw-chunk.js';

// (as LogText's: the same reads, the same hits)
const BLOCK = 64 * 1024;
const CACHED_BLOCKS = 256;
/** longer lines running past their block are left to LogText */
const MAX_GATHER = 64 * 1024;
const ROW_MASK = (1 << CHUNK_BITS) - 1;

/**
 * The events' text as LogText gives it, its plain lines (bodySpan) read through a fixed set of
 * block buffers, each used again once evicted. LogText allocates a block per read and leaves the
 * evicted ones to the collector; here, beside the main thread's, that raised the peak RSS by
 * ~60 MB at 1 M log lines (measured: the dead blocks and the malloc arena they leave behind, and
 * LogText's second cache filled by the lines that run past their block, one a block, which
 * bodySpan leaves to body()). Here bodySpan gathers those lines itself; otherwise it is
 * LogText's to the byte. Anything else (lines not plain, SIEM exports) goes to a LogText.
 */
class ReusedBlockText {
  private readonly slow: LogText;
  private readonly fds = new Map<number, number>();
  /** cached blocks by key (log, block number), least recently used first: the buffer and the bytes read into it */
  private readonly blocks = new Map<number, { full: Buffer; got: Buffer }>();

  constructor(private readonly table: FwTable) {
    this.slow = new LogText(table);
  }

  body(e: number): string {
    return this.slow.body(e);
  }

  /** As LogText.bodySpan. */
  bodySpan(e: number): { buf: Uint8Array; start: number; end: number } | undefined {
    const c = this.table.chunk(e);
    const r = e & ROW_MASK;
    const at = c.bodyAt[r]!;
    if (at === 0xffff) return undefined;
    const off = c.off[r]!;
    let buf: Uint8Array, start: number;
    if (c.text) {
      buf = c.text;
      start = off;
    } else {
      const src = this.table.sources[c.log];
      if (!src || src.format !== 'lines') return undefined;
      const b = this.block(c.log, src.path, Math.floor(off / BLOCK));
      if (!b) return undefined;
      buf = b;
      start = off % BLOCK;
    }
    let end = buf.indexOf(10, start);
    if (end < 0) {
      if (!c.text && buf.length === BLOCK) {
        // the line goes on in the next block (LogText leaves it to body(), reading both blocks
        // into its own cache): gathered here
        const line = this.gather(c.log, this.table.sources[c.log]!.path, off);
        if (!line) return undefined;
        buf = line;
        start = 0;
        end = line.length;
      } else end = buf.length;
    }
    if (end > start && buf[end - 1] === 13) end--;
    start += at;
    if (start > end) return undefined;
    while (start < end && buf[start] === 32) start++;
    while (end > start && buf[end - 1] === 32) end--;
    return { buf, start, end };
  }

  private scratch = Buffer.allocUnsafe(1024);

  /** The bytes of the line at `off` that runs past its block, without the newline (undefined: longer than MAX_GATHER). */
  private gather(log: number, path: string, off: number): Buffer | undefined {
    let n = 0;
    for (let pos = off; n <= MAX_GATHER;) {
      const b = this.block(log, path, Math.floor(pos / BLOCK));
      if (!b) break;
      const from = pos % BLOCK;
      const nl = b.indexOf(10, from);
      const to = nl < 0 ? b.length : nl;
      if (n + to - from > this.scratch.length) {
        const s = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, n + to - from));
        this.scratch.copy(s, 0, 0, n);
        this.scratch = s;
      }
      n += b.copy(this.scratch, n, from, to);
      if (nl >= 0 || b.length < BLOCK) return this.scratch.subarray(0, n);
      pos += b.length - from;
    }
    return undefined;
  }

  private lastKey = -1;
  private lastBlock: Buffer | undefined;

  private block(log: number, path: string, k: number): Buffer | undefined {
    const key = log * 2 ** 32 + k;
    if (key === this.lastKey) return this.lastBlock;
    let hit = this.blocks.get(key);
    if (hit) {
      this.blocks.delete(key);
      this.blocks.set(key, hit);
    } else hit = this.read(log, path, k, key);
    this.lastKey = key;
    this.lastBlock = hit?.got;
    return hit?.got;
  }

  private read(log: number, path: string, k: number, key: number): { full: Buffer; got: Buffer } | undefined {
    let fd = this.fds.get(log);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return undefined;
      }
      this.fds.set(log, fd);
    }
    // (the least recently used block's buffer, once the cache is full)
    let full: Buffer | undefined;
    if (this.blocks.size >= CACHED_BLOCKS) {
      const [oldest, e] = this.blocks.entries().next().value!;
      this.blocks.delete(oldest);
      full = e.full;
    }
    full ??= Buffer.allocUnsafe(BLOCK);
    let n: number;
    try {
      n = readSync(fd, full, 0, BLOCK, k * BLOCK);
    } catch {
      return undefined;
    }
    if (n <= 0) return undefined;
    const got = { full, got: n < BLOCK ? full.subarray(0, n) : full };
    this.blocks.set(key, got);
    return got;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.blocks.clear();
    this.slow.close();
  }
}

/** The lines' source over the task, and the log text it reads (to close). */
function taskFlows(t: FlowLinesTask): { src: FlowSource; text?: ReusedBlockText } {
  const { histories, historyIndex } = t;
  const base: FlowSource = { ...sharedFlows(t.share, (i) => histories[historyIndex[i] ?? 0] ?? ''), fwBytes: t.fwBytes };
  if (!t.fw) return { src: base };
  const { chunks, strings, sources, logNames, start, events } = t.fw;
  const fw = new FwTable();
  // (the chunks carry only the columns the lines read: times, message ids, strings, where the text is)
  for (const c of chunks) {
    fw.chunks.push(c as FwChunk);
    fw.count += c.n;
  }
  for (let k = 1; k < strings.length; k++) fw.strings.push(strings[k]!);
  fw.sources.push(...sources);
  fw.logNames.push(...logNames);
  const text = new ReusedBlockText(fw);
  const firewallBytes = new FirewallBytes({ fw, fwText: text, fwEvents: (i) => events.subarray(start[i]!, start[i + 1]!) });
  return { src: { ...base, firewallBytes }, text };
}

const port = parentPort!;
port.once('message', (task: FlowLinesTask) => {
  const { ctl, n, block, lead, port: to } = task;
  const { src, text } = taskFlows(task);
  const enc = new FlowLineEncoder(src);
  const blocks = Math.ceil(n / block);
  // block buffers the main thread is done with, sent back
  const spare: Uint8Array[] = [];
  for (;;) {
    for (let m = receiveMessageOnPort(to); m; m = receiveMessageOnPort(to)) spare.push(new Uint8Array(m.message as ArrayBuffer));
    const next = Atomics.load(ctl, C_NEXT);
    if (next >= blocks) break;
    // (not more than `lead` blocks past the last one the main thread handed on)
    const done = Atomics.load(ctl, C_DONE);
    if (next - done >= lead) {
      Atomics.wait(ctl, C_DONE, done, 100);
      continue;
    }
    const b = Atomics.add(ctl, C_NEXT, 1);
    if (b >= blocks) break;
    const from = b * block;
    const bytes = encodeBlock(enc, from, Math.min(n, from + block), spare.pop());
    to.postMessage({ from, bytes } satisfies LinesMessage, [bytes.buffer as ArrayBuffer]);
    Atomics.add(ctl, C_POSTED, 1);
    Atomics.notify(ctl, C_POSTED);
  }
  text?.close();
  to.close();
});
