/**
 * Large captures are read by a worker thread (src/flows/ingest-worker.ts). Whatever the worker
 * reads must be what the main thread reads: the same rows, connections, counts and issues, on
 * every capture fixture, damaged ones included.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestInputs, type Ingest } from '../src/flows/ingest.js';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { CHUNK_ROWS } from '../src/flows/packet-table.js';
import { prewarmReader, spareReader } from '../src/flows/workers.js';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { generate } from '../bench/gen.js';
import { fixture } from './helpers.js';

const CAPTURE = /\.(pcap|pcapng|gz)$|^gzip-no-ext$/;
const files = ['tcp', 'formats', 'malformed'].flatMap((d) =>
  readdirSync(fixture(d)).filter((f) => CAPTURE.test(f)).map((f) => `${d}/${f}`));

/** Everything ingest produced, as plain data. */
function snapshot(ing: Ingest): unknown {
  const p = ing.packets;
  const rows = Array.from({ length: p.count }, (_, r) =>
    [p.ts(r), p.offset(r), p.frame(r), p.conn(r), p.seq(r), p.ack(r), p.len(r), p.win(r), p.flags(r), p.mark(r)].join(' '));
  const c = ing.conns;
  const conns = Array.from({ length: c.count }, (_, i) =>
    [c.vantage[i], ing.addrs.text(c.origAddr[i]!), c.origPort[i], ing.addrs.text(c.respAddr[i]!), c.respPort[i], c.firstTs[i], c.lastTs[i],
      c.origPkts[i], c.respPkts[i], c.origPayload[i], c.respPayload[i], c.flagsOrig[i], c.flagsResp[i], c.marks[i], c.flipped[i], c.reused[i]].join(' '));
  const filesOut = ing.files.map((f) => ({ first: f.first, end: f.end, stats: f.stats, linktypes: [...f.linktypes].sort(), nsec: f.nsec }));
  return { rows, conns, files: filesOut, issues: ing.issues };
}

test('the worker reads every capture fixture exactly as the main thread does', async () => {
  assert.ok(files.length > 40, `found ${files.length} fixtures`);
  for (const f of files) {
    const path = fixture(f);
    const main = await ingestInputs([path], { worker: 'never' });
    const worker = await ingestInputs([path], { worker: 'always' });
    assert.deepEqual(snapshot(worker), snapshot(main), f);
  }
});

test('the worker keeps vantages and interfaces apart when files are read together', async () => {
  const paths = ['formats/multi-if.pcapng', 'formats/ipv6.pcap', 'tcp/fin-then-rst.pcap'].map(fixture);
  const main = await ingestInputs(paths, { worker: 'never' });
  const worker = await ingestInputs(paths, { worker: 'always' });
  assert.ok(main.conns.count >= 4);
  assert.deepEqual(snapshot(worker), snapshot(main));
});

test('the worker fills packet-table chunks across their boundaries, from a part-filled one on', async (t) => {
  // 100 k packets: batches cross the 64 Ki-row chunk boundaries; the second and third files start
  // in the middle of a chunk the main thread or the worker began
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-chunks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.pcap');
  generate(big, { packets: 100_000, concurrent: 300, seed: 7 });
  const paths = [fixture('tcp/fin-then-rst.pcap'), big, big];
  const main = await ingestInputs(paths, { worker: 'never' });
  const worker = await ingestInputs(paths, { worker: 'always' });
  assert.ok(main.packets.count > 2 * 100_000 && main.packets.count % CHUNK_ROWS !== 0);
  assert.deepEqual(snapshot(worker), snapshot(main));
});

test('a reader started ahead of need reads the capture; when no input is a capture it is ended', async (t) => {
  const path = fixture('tcp/fin-then-rst.pcap');
  const main = await ingestInputs([path], { worker: 'never' });
  prewarmReader([path], 'always');
  const w = spareReader();
  assert.ok(w, 'started');
  // (listening keeps a worker's port alive: end it whatever the test finds)
  t.after(() => w.terminate());
  const exited = once(w, 'exit');
  let heard = 0;
  w.on('message', () => heard++);
  const worker = await ingestInputs([path], { worker: 'always' });
  assert.equal(spareReader(), undefined);
  assert.ok(heard > 0, 'the prewarmed worker is the one that read');
  assert.deepEqual(snapshot(worker), snapshot(main));
  await exited;

  // a plain log starts none: only a file that starts as a capture or a gzip file does
  const plain = fixture('demo/asa.log');
  prewarmReader([plain], 'always');
  assert.equal(spareReader(), undefined, 'none for a plain log');
  // a gzip file may be a capture: a reader starts, and the log inside ends it unused
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-prewarm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log.gz');
  writeFileSync(log, gzipSync(readFileSync(plain)));
  prewarmReader([log], 'always');
  const unused = spareReader();
  assert.ok(unused);
  t.after(() => unused.terminate());
  const ended = once(unused, 'exit');
  let heardUnused = 0;
  unused.on('message', () => heardUnused++);
  const ing = await ingestInputs([log], { worker: 'always' });
  assert.ok(ing.fw.count > 0);
  assert.equal(spareReader(), undefined);
  assert.equal(heardUnused, 0, 'no input took it');
  await ended;

  prewarmReader([path], 'never');
  assert.equal(spareReader(), undefined, 'none with --worker never');
});

test('a FIFO is not opened to look for a capture ahead of the load (its writer may come later; its bytes are the reader\'s)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-prewarm-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'in.pcap');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return;
  // (in a child: an open of the FIFO would block its thread until a writer came)
  const workers = new URL('../src/flows/workers.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const w = await import(${JSON.stringify(workers)}); w.prewarmReader([${JSON.stringify(fifo)}], 'always'); console.log(w.spareReader() === undefined ? 'none' : 'started'); process.exit(0);`],
  { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'it returned (a blocked open is killed by the timeout)');
  assert.equal(r.stdout.trim(), 'none', r.stderr);
});

test('the analysis worker gives every connection the verdicts the main thread gives it', async () => {
  // demo: two vantages and a log (merged rows, firewall anomalies); plus single captures of each class
  const sets = [
    ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'],
    ['tcp/fin-then-rst.pcap', 'tcp/rejected.pcap', 'tcp/port-reuse.pcap', 'tcp/tls13-no-close-notify.pcap', 'formats/ipv6.pcap'],
  ].map((s) => s.map(fixture));
  for (const paths of sets) {
    const main = await loadDataset(paths, { worker: 'never' });
    const worker = await loadDataset(paths, { worker: 'always' });
    assert.ok(main.conns.count >= 3);
    const all = (ds: typeof main): string[] => Array.from({ length: ds.conns.count }, (_, i) => JSON.stringify(flowRecord(ds, i)));
    assert.deepEqual(all(worker), all(main));
  }
});

test('the analysis worker, given every block, computes what the main thread does; a failed worker is redone', async () => {
  // (in the loader the two threads race for blocks, and on small captures the main thread may take
  // them all: here the worker takes every block itself)
  const { groupByConn } = await import('../src/flows/conn-rows.js');
  const { AnalysisWorker } = await import('../src/flows/workers.js');
  const { BY_MAIN, BY_WORKER, newSharedPass, redoBlocks, takeBlocks } = await import('../src/flows/analyse-range.js');
  const paths = ['tcp/fin-then-rst.pcap', 'tcp/rejected.pcap', 'tcp/port-reuse.pcap', 'tcp/tls13-no-close-notify.pcap', 'formats/ipv6.pcap', 'tcp/retransmission.pcap'];
  const ds = await loadDataset(paths.map(fixture), { worker: 'never' });
  const n = ds.conns.count, c = ds.conns;
  const { start, rows } = groupByConn(ds.packets, n);
  const input = {
    cols: ds.packets.analysisColumns(), byConn: { start, rows }, vantage: c.vantage, flipped: c.flipped, reused: c.reused,
    fileFirst: ds.files.map((f) => f.first), fileEnd: ds.files.map((f) => f.end),
  };
  const columns = () => ({
    connState: new Uint8Array(new SharedArrayBuffer(n)), teardown: new Uint8Array(new SharedArrayBuffer(n)), closedBy: new Uint8Array(new SharedArrayBuffer(n)),
    anomalies: new Uint32Array(new SharedArrayBuffer(4 * n)), origBytes: new Float64Array(new SharedArrayBuffer(8 * n)),
    respBytes: new Float64Array(new SharedArrayBuffer(8 * n)), missing: new Uint8Array(new SharedArrayBuffer(n)),
    unackedOrig: new Float64Array(new SharedArrayBuffer(8 * n)), unackedResp: new Float64Array(new SharedArrayBuffer(8 * n)),
    dataLost: new Uint8Array(new SharedArrayBuffer(n)),
  });
  const plain = (o: ReturnType<typeof columns>, histories: string[]) => ({ ...Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.from(v)])), histories });

  const withHistories = () => {
    const histories = new Array<string>(n).fill('');
    return { ...columns(), histories, history: (i: number, h: string) => { histories[i] = h; } };
  };
  const ref = withHistories();
  takeBlocks(input, newSharedPass(n), ref, BY_MAIN);
  assert.ok(ref.histories.every((h) => h !== '') && n >= 6, 'every connection analysed');

  const out = columns();
  const historyIndex = new Int32Array(new SharedArrayBuffer(4 * n));
  const pass = newSharedPass(n);
  const worker = AnalysisWorker.start();
  const got = await worker.run({ input, pass, out, historyIndex });
  worker.stop();
  assert.ok(got, 'the worker answered');
  assert.ok(Array.from(pass.done).every((d) => d === BY_WORKER), 'the worker did every block');
  const { histories: _, history: _h, ...refColumns } = ref;
  assert.deepEqual(plain(out, Array.from(historyIndex, (h) => got.historyTable[h - 1]!)), plain(refColumns, ref.histories));

  // a worker that failed after its blocks: its histories are lost, so every block of its is redone
  const again = withHistories();
  const failed = newSharedPass(n);
  failed.done.fill(BY_WORKER);
  Atomics.store(failed.next, 0, failed.done.length);
  redoBlocks(input, failed, again);
  const { histories: __, history: __h, ...againColumns } = again;
  assert.deepEqual(plain(againColumns, again.histories), plain(refColumns, ref.histories));
});
