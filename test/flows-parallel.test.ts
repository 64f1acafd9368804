/**
 * `flows` of a loaded dataset on two threads (flow-share.ts writeFlowLines, the flow-lines
 * worker): byte for byte the lines one thread writes over the dataset (FlowLineEncoder's NDJSON,
 * its CSV rows, the table's rows in given widths), whoever writes which block: the worker alone,
 * both threads over many small blocks, this thread alone when the worker fails; through the
 * command, RSTTUI_WORKER=1 gives what =0 gives.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { FlowLineEncoder } from '../src/export/flow-bytes.js';
import { CsvLineEncoder } from '../src/export/csv-bytes.js';
import { FlowCells, datasetCells } from '../src/export/flow-cells.js';
import { FlowTableBytes } from '../src/export/flow-table-bytes.js';
import { useFlowLinesWorker, writeFlowLines, type FlowLinesOptions } from '../src/export/flow-share.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { TEXT_CANON } from '../src/read/fw-chunk.js';
import { BIN, fixture } from './helpers.js';

/** How the lines are written: NDJSON, CSV rows, or table rows in some widths. */
type Mode = Pick<FlowLinesOptions, 'csv' | 'tableWidths'>;

/** The lines as one thread writes them (the command without a worker), in a mode. */
function serial(ds: Dataset, mode: Mode = {}): Buffer {
  const parts: Uint8Array[] = [];
  let buffer = new Uint8Array(1 << 16), pos = 0;
  const out = {
    get buffer() { return buffer; },
    reserve(n: number) {
      if (pos + n > buffer.length) {
        parts.push(buffer.slice(0, pos));
        buffer = new Uint8Array(Math.max(1 << 16, n));
        pos = 0;
      }
      return pos;
    },
    commit(end: number) { pos = end; },
  };
  const enc = mode.tableWidths ? new FlowTableBytes(mode.tableWidths, new FlowCells(datasetCells(ds)))
    : mode.csv ? new CsvLineEncoder(new FlowLineEncoder(ds)) : new FlowLineEncoder(ds);
  for (let i = 0; i < ds.conns.count; i++) enc.write(out, i);
  parts.push(buffer.slice(0, pos));
  return Buffer.concat(parts);
}

async function parallel(ds: Dataset, opts: FlowLinesOptions): Promise<{ bytes: Buffer; byWorker: number }> {
  const parts: Uint8Array[] = [];
  // (copied: the buffer is used again once this returns true)
  const byWorker = await writeFlowLines(ds, (b) => { parts.push(b.slice()); return true; }, opts);
  return { bytes: Buffer.concat(parts), byWorker };
}

/** Parallel runs over a dataset, each compared with the serial lines: NDJSON, CSV rows, table rows (narrow widths: cells overflow). */
async function same(label: string, ds: Dataset, block: number): Promise<void> {
  const modes: [string, Mode][] = [['', {}], [' (csv)', { csv: true }], [' (table)', { tableWidths: [2, 10, 10, 26, 5, 4, 5, 5, 7, 8, 6, 9, 8, 8] }]];
  for (const [name, mode] of modes) {
    const want = serial(ds, mode);
    const what = label + name;
    const blocks = Math.ceil(ds.conns.count / block);
    // the worker writes every block
    const alone = await parallel(ds, { worker: 'always', block, mainTakes: false, ...mode });
    assert.ok(alone.bytes.equals(want), `${what}: the worker's lines`);
    if (built) assert.equal(alone.byWorker, blocks, `${what}: every block from the worker`);
    // both threads take blocks as they come
    const both = await parallel(ds, { worker: 'always', block, ...mode });
    assert.ok(both.bytes.equals(want), `${what}: both threads' lines`);
    // no worker: this thread alone, block by block
    const none = await parallel(ds, { worker: 'never', block, ...mode });
    assert.ok(none.bytes.equals(want) && none.byWorker === 0, `${what}: one thread's lines`);
    // (the columns moved into shared memory on the way hold what they held)
    assert.ok(serial(ds, mode).equals(want), `${what}: the dataset's lines afterwards`);
  }
}

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-flows-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// (run from the sources, as under tsx, there is no compiled worker: this thread writes every line)
const built = useFlowLinesWorker(1, 'always');

test('the worker is used where it pays, or when asked', { skip: !built && 'no compiled worker' }, () => {
  assert.equal(useFlowLinesWorker(99_999, 'auto'), false);
  assert.equal(useFlowLinesWorker(100_000, 'auto'), true);
  assert.equal(useFlowLinesWorker(10, 'always'), true);
  assert.equal(useFlowLinesWorker(1_000_000, 'never'), false);
  assert.equal(useFlowLinesWorker(0, 'always'), false);
});

test('captures and a log, and each fixture log alone: the same lines from either thread', async () => {
  const demo = await loadDataset(['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture));
  assert.ok(demo.fw.count > 0 && demo.conns.count > 1);
  await same('demo', demo, 1);
  const logs = [
    ...readdirSync(fixture('logs')).filter((f) => f.endsWith('.log')).map((f) => `logs/${f}`),
    ...readdirSync(fixture('logs/siem')).filter((f) => /\.(ndjson|jsonl)$/.test(f)).map((f) => `logs/siem/${f}`),
  ];
  assert.ok(logs.length >= 5);
  for (const f of logs) {
    const ds = await loadDataset([fixture(f)], { year: 2018 });
    if (ds.conns.count > 0) await same(f, ds, 2);
  }
});

test('a generated log, plain and gzip (its lines kept in the chunks): the same lines over many blocks', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 20_000, seed: 5 });
  const ds = await loadDataset([log], { year: 2018 });
  assert.ok(ds.conns.count > 5000, `${ds.conns.count} rows`);
  await same('generated', ds, 64);
  // read by the log workers, whose byte reader marks the plain Teardowns: a block's far ones are
  // written from their columns (fw-render.ts), by either thread
  const dw = await loadDataset([log], { year: 2018, worker: 'always' });
  assert.ok(dw.fw.chunks.some((c) => c.bits.subarray(0, c.n).some((b) => (b & TEXT_CANON) === TEXT_CANON)), 'plain Teardowns marked');
  await same('generated, by the byte reader', dw, 64);
  const gz = join(dir, 'asa.log.gz');
  writeFileSync(gz, gzipSync(readFileSync(log)));
  const dz = await loadDataset([gz], { year: 2018 });
  assert.ok(dz.fw.chunks.every((c) => c.text !== undefined), 'gzip: the lines are in the chunks');
  await same('gzip', dz, 64);
});

test('lines across block boundaries, CRLF, bytes that are not plain, a line longer than a block: the same lines', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 6000, seed: 13 });
  // every 7th line ends in spaces, every 11th carries UTF-8 and a control byte, every 13th quotes
  // and a backslash, every 17th runs past the bytes read after a line's start (fw-batch.ts TAIL),
  // one is longer than a read-ahead line (MAX_LINE), one 100 KB; CRLF throughout and none after
  // the last line (the worker reads the plain lines' text through blocks of its own)
  const lines = readFileSync(log, 'latin1').trimEnd().split('\n').map((l, k) => {
    if (k === 3000) return l + ' ' + 'x'.repeat(100_000);
    if (k === 4000) return l + ' ' + 'z'.repeat(5000);
    if (k % 11 === 0) return l + ' caf\u00c3\u00a9 \u0001end';
    if (k % 13 === 0) return l + ' user "LOCAL\\bob"';
    if (k % 17 === 0) return l + ' ' + 'y'.repeat(700);
    return k % 7 === 0 ? l + '   ' : l;
  });
  const odd = join(dir, 'odd.log');
  writeFileSync(odd, Buffer.from(lines.join('\r\n'), 'latin1'));
  const ds = await loadDataset([odd], { year: 2018 });
  assert.ok(ds.conns.count > 1000);
  await same('odd', ds, 16);
});

test('a full sink: no block is written till it has room, and the lines are the same', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 4000, seed: 3 });
  const ds = await loadDataset([log], { year: 2018 });
  const want = serial(ds);
  for (const worker of ['never', 'always'] as const) {
    const parts: Uint8Array[] = [];
    let full = false, whileFull = 0, waits = 0;
    await writeFlowLines(ds, (b) => {
      if (full) whileFull++;
      parts.push(b.slice());
      full = true;
      return true;
    }, {
      worker, block: 16,
      ready: () => (full ? (waits++, new Promise<void>((r) => setImmediate(() => { full = false; r(); }))) : undefined),
    });
    assert.ok(Buffer.concat(parts).equals(want), `${worker}: the same lines`);
    assert.ok(waits >= Math.ceil(ds.conns.count / 16) / 2, `${worker}: waited for room (${waits} times)`);
    // (this thread alone writes one block a turn; the worker's may come several at once)
    if (worker === 'never') assert.equal(whileFull, 0, 'no block written while the sink was full');
  }
});

test('a worker that fails, before or after taking blocks, leaves them to this thread', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 4000, seed: 9 });
  const ds = await loadDataset([log], { year: 2018 });
  const want = serial(ds);
  const scripts = {
    // takes three blocks from the counter, then throws
    'takes-then-throws.mjs': `import { parentPort } from 'node:worker_threads';
parentPort.once('message', (t) => { for (let k = 0; k < 3; k++) Atomics.add(t.ctl, 0, 1); throw new Error('boom'); });`,
    'exits.mjs': `process.exit(3);`,
  };
  for (const [name, code] of Object.entries(scripts)) {
    const file = join(dir, name);
    writeFileSync(file, code);
    for (const mainTakes of [true, false]) {
      const got = await parallel(ds, { worker: 'always', block: 16, mainTakes, workerFile: pathToFileURL(file) });
      assert.ok(got.bytes.equals(want), `${name} ${mainTakes}: the same lines`);
      assert.equal(got.byWorker, 0);
    }
  }
});

test('the command: RSTTUI_WORKER=1 (lines on two threads) writes what RSTTUI_WORKER=0 writes, NDJSON, CSV and the table', (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 20_000, seed: 3 });
  for (const format of ['ndjson', 'csv', 'table']) sameFromCommand(format, log);
});

/** `flows --format FORMAT` of the log, and of the demo, with and without the lines worker: the same bytes. */
function sameFromCommand(format: string, log: string): void {
  const run = (worker: string, files: string[]): Buffer => {
    const r = spawnSync(process.execPath, [BIN, 'flows', '--format', format, '--year', '2018', ...files], {
      env: { ...process.env, RSTTUI_WORKER: worker, RSTTUI_REPORT: '1' }, maxBuffer: 1 << 30,
    });
    assert.equal(r.status, 0, r.stderr.toString());
    // (the report says whether the lines went through the two-thread writer)
    assert.equal(/rsttui-report output-worker blocks \d+/.test(r.stderr.toString()), worker === '1', r.stderr.toString());
    return r.stdout;
  };
  for (const files of [[log], ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture)]) {
    const one = run('0', files);
    assert.ok(one.length > 0);
    assert.ok(run('1', files).equals(one), `${format}: ${files.join(' ')}`);
  }
}
