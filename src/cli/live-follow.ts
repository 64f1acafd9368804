/**
 * `rsttui flows --follow FILE...`: the files read as they grow (tail -f, by polling), the first
 * capture among them as the live capture, the others as firewall logs; headless live records
 * (live-flows.ts) until Ctrl-C or SIGTERM. A stand-in for the input sources' own follow(), which
 * also survives rotation: this reader only reads on from where it was.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { sniffKind } from '../read/detect.js';
import { runLiveFlows } from './live-flows.js';
import { vantageNames } from './load.js';
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
  const names = vantageNames(p);
  const inputs: LiveInputs = { signal: stop.signal, logs: [] };
  try {
    for (const path of p.files) {
      const kind = sniffKind(await headOf(path, stop.signal));
      const name = names.get(path) ?? basename(path);
      if ((kind === 'pcap' || kind === 'pcapng') && !inputs.capture) inputs.capture = { chunks: pollFile(path, stop.signal), name, path };
      else if (kind === 'pcap' || kind === 'pcapng') throw new UsageError('flows --follow reads one capture (merge them with mergecap)');
      else inputs.logs!.push({ name, chunks: pollFile(path, stop.signal) });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`rsttui: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const r = await runLiveFlows({}, inputs);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return r.status;
}
