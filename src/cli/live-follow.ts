/**
 * `rsttui flows --follow FILE...`: the files read as they grow (tail -f, by polling), the first
 * capture among them as the live capture, the others as firewall logs; headless live records
 * (live-flows.ts) until Ctrl-C or SIGTERM. A stand-in for the input sources' own follow(), which
 * also survives rotation: this reader only reads on from where it was.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sniffKind } from '../read/detect.js';
import { runLiveFlows } from './live-flows.js';
import { loadOptions, vantageNames } from './load.js';
import { UsageError, type Parsed } from './main.js';
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

/** The bytes of `path` from `from` on, as they are written, until `signal` (polled every `ms`). */
export async function* pollFile(path: string, signal: AbortSignal, ms = 100, from = 0): AsyncGenerator<Uint8Array> {
  const fd = await open(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = from;
  try {
    for (;;) {
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        yield Buffer.from(buf.subarray(0, bytesRead));
        continue;
      }
      if (signal.aborted) return;
      await sleep(ms, signal);
    }
  } finally {
    await fd.close();
  }
}

/**
 * A path's bytes as they come: a FIFO (or a character device) read as the stream it is, until its
 * writer closes it; a file by polling (pollFile), until `signal`.
 */
export async function* followChunks(path: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const st = await stat(path);
  if (!st.isFIFO() && !st.isCharacterDevice()) {
    yield* pollFile(path, signal);
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

export async function runFollow(p: Parsed): Promise<number> {
  const format = (p.values.format as string | undefined) ?? 'ndjson';
  if (format !== 'ndjson') throw new UsageError(`flows --follow writes ndjson records (got --format ${format})`);
  if (p.files.includes('-')) throw new UsageError('flows --follow reads files, not stdin (a pipe is followed anyway: rsttui flows -)');
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let inputs: LiveInputs;
  try {
    inputs = await followInputs(p.files, vantageNames(p), stop.signal);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`rsttui: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const o = loadOptions(p);
  const r = await runLiveFlows({ ...(o.year !== undefined ? { year: o.year } : {}), ...(o.tz !== undefined ? { tz: o.tz } : {}), ...(o.dropPrefixes ? { dropPrefixes: o.dropPrefixes } : {}) }, inputs);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return r.status;
}
