/** The live engine and headless live: captures fed as streams give the batch's rows, each when its connection is over. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { LiveEngine } from '../src/flows/live.js';
import { liveDataset } from '../src/flows/live-view.js';
import { runLiveFlows } from '../src/cli/live-flows.js';
import { fixture } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A file's bytes in slices of `size`, a pause after each; `gate(k)` may hold slice k back. */
async function* slices(buf: Uint8Array, size: number, pauseMs = 0, gate?: (k: number) => Promise<void> | undefined): AsyncGenerator<Uint8Array> {
  for (let o = 0, k = 0; o < buf.length; o += size, k++) {
    await gate?.(k);
    yield buf.subarray(o, o + size);
    if (pauseMs) await sleep(pauseMs);
    else await new Promise((r) => setImmediate(r));
  }
}

/** A writable that keeps each write apart. */
function sink() {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WritableStream };
}

async function batchRows(path: string): Promise<string[]> {
  const ds = await loadDataset([path]);
  return Array.from({ length: ds.conns.count }, (_, i) => JSON.stringify(flowRecord(ds, i)));
}

const byId = (lines: string[]) => lines.map((l) => l.trimEnd()).sort((a, b) => JSON.parse(a).id - JSON.parse(b).id);

for (const rel of ['demo/inside.pcap', 'tcp/port-reuse.pcap', 'tcp/fin-then-rst-late.pcap']) {
  test(`live over ${rel} fed in slices gives the batch's NDJSON rows, each written once`, async () => {
    const path = fixture(rel);
    const buf = readFileSync(path);
    const out = sink(), err = sink();
    let fed = 0;
    const firstAt: number[] = [];
    const feed = slices(buf, 1500, 0, (k) => { fed = k; return undefined; });
    // (the demo has a connection idle for 360 s: longer than the default idle timeout, see below)
    const res = await runLiveFlows({ wallClock: false, tickMs: 2, idleTimeout: 3600 }, { capture: { chunks: feed, name: basename(path), path } },
      { write: (s: string) => { firstAt.push(fed); return out.stream.write(s); } } as unknown as NodeJS.WritableStream, err.stream);
    assert.equal(res.reason, 'end');
    assert.deepEqual(byId(out.writes), await batchRows(path));
    assert.ok(out.writes.every((w) => w.endsWith('\n') && w.indexOf('\n') === w.length - 1), 'one record a write');
    if (rel.startsWith('demo')) {
      // most connections of the demo end long before the capture does: their records come early
      const before = firstAt.filter((k) => k < Math.floor(buf.length / 1500)).length;
      assert.ok(before > out.writes.length / 2, `${before} of ${out.writes.length} written before the last slice`);
      assert.match(err.writes.join(''), /^live: 248 records written, 5084 packets/m);
    }
  });
}

test('a connection idle past the idle timeout is written as it stood; its later packets are a new row, as in the batch', async () => {
  const path = fixture('demo/inside.pcap');
  const rows: string[] = [];
  const e = new LiveEngine({ wallClock: false, onFinal: (i) => rows.push(JSON.stringify(flowRecord(liveDataset(e, undefined), i))) });
  const c = e.capture('inside.pcap', path);
  const buf = readFileSync(path);
  // (a tick after every slice: the engine looks at the time that often)
  for (let o = 0; o < buf.length; o += 1500) {
    c.push(buf.subarray(o, o + 1500));
    e.tick();
  }
  c.end();
  e.finish();
  const batch = await batchRows(path);
  const live = byId(rows);
  assert.equal(live.length, batch.length);
  type Row = { id: number; conn_state: string; duration: number; related: number[]; split: string | null };
  const differ = live.flatMap((l, k) => (l === batch[k] ? [] : [JSON.parse(l) as Row]));
  // The packets after the gap are a new row in both (Zeek's tcp_inactivity_timeout, flows/zeek-lifetime.ts);
  // the live record of the row before it was final before that row existed, so it names no successor.
  assert.equal(differ.length, 1, 'one connection has a gap longer than 300 s');
  const b = JSON.parse(batch[differ[0]!.id - 1]!) as Row;
  const next = JSON.parse(batch[b.related[0]! - 1]!) as Row;
  assert.deepEqual([differ[0]!.related, b.related, next.related, next.split], [[], [next.id], [b.id], 'idle']);
  assert.deepEqual({ ...differ[0]!, related: [] }, { ...b, related: [] });
});

/** The engine with a capture fed whole (not ended), on capture time only. */
function engineWith(rel: string, opts: { grace?: number; idleTimeout?: number } = {}) {
  const finals: number[] = [];
  const e = new LiveEngine({ wallClock: false, onFinal: (i) => finals.push(i), ...opts });
  const c = e.capture(rel);
  c.push(readFileSync(fixture(rel)));
  e.tick(-Infinity);
  const last = e.conns.lastTs[0]!;
  return { e, finals, last };
}

test('a closed connection is over `grace` seconds after its last packet, not before', () => {
  const { e, finals, last } = engineWith('tcp/clean-close-client.pcap', { grace: 2 });
  assert.equal(e.tick(last + 1.99), 0);
  assert.deepEqual(finals, []);
  const ds = liveDataset(e, undefined);
  assert.equal(flowRecord(ds, 0).teardown, 'graceful', 'the row is there, analysed, before its record is final');
  assert.equal(e.tick(last + 2), 1);
  assert.deepEqual(finals, [0]);
  assert.equal(e.tick(last + 100), 0, 'final once');
});

test('an unclosed connection is over after the idle timeout, not after the grace', () => {
  const { e, finals, last } = engineWith('tcp/unanswered.pcap', { grace: 2, idleTimeout: 30 });
  e.tick(last + 29);
  assert.deepEqual(finals, []);
  assert.equal(flowRecord(liveDataset(e, undefined), 0).teardown, 'unanswered');
  e.tick(last + 30);
  assert.deepEqual(finals, [0]);
});

test('the grace keeps a record open for the late RST: without it the record is written before it comes', () => {
  // fin-then-rst: the client's FA and RA, then ~40 ms later its bare R, fed a few bytes at a time with pauses
  const run = (grace: number) => {
    const rows: string[] = [];
    const e = new LiveEngine({ wallClock: false, grace, onFinal: (i) => rows.push(JSON.stringify(flowRecord(liveDataset(e, undefined), i))) });
    const buf = readFileSync(fixture('tcp/fin-then-rst.pcap'));
    const c = e.capture('fin-then-rst.pcap');
    // (half a second of wall time after each few bytes: a slow link)
    for (let o = 0; o < buf.length; o += 7) {
      c.push(buf.subarray(o, o + 7));
      e.tick(e.clock() + 0.5);
    }
    c.end();
    e.finish();
    assert.equal(rows.length, 1);
    return { anomalies: JSON.parse(rows[0]!).anomalies as string[], late: e.counts.late };
  };
  assert.deepEqual(run(2), { anomalies: ['rst-after-fin', 'late-rst'], late: 0 });
  const short = run(0.001);
  assert.ok(!short.anomalies.includes('late-rst'), 'written before the late RST came');
  assert.ok(short.late >= 1, 'the late packets are counted');
});

test('-c COUNT writes COUNT records and stops while the input is still open', async () => {
  const buf = readFileSync(fixture('demo/inside.pcap'));
  let hold!: () => void;
  const held = new Promise<void>((r) => { hold = r; });
  // the second half never comes until the run is over
  const feed = slices(buf, 4096, 0, (k) => (k * 4096 > buf.length / 2 ? held : undefined));
  const out = sink(), err = sink();
  const res = await runLiveFlows({ wallClock: false, tickMs: 2, count: 3 }, { capture: { chunks: feed, name: 'inside.pcap' } }, out.stream, err.stream);
  hold();
  assert.equal(res.reason, 'count');
  assert.equal(res.records, 3);
  assert.equal(out.writes.length, 3);
  assert.match(err.writes.join(''), /^live: 3 records written/m);
});

test('--duration stops a run whose input never ends, and writes the connections still held', async () => {
  const buf = readFileSync(fixture('demo/inside.pcap'));
  const never = new Promise<void>(() => undefined);
  const feed = slices(buf, 4096, 0, (k) => (k * 4096 > buf.length / 2 ? never : undefined));
  const out = sink(), err = sink();
  const t0 = Date.now();
  const res = await runLiveFlows({ wallClock: false, tickMs: 2, duration: 0.4 }, { capture: { chunks: feed, name: 'inside.pcap' } }, out.stream, err.stream);
  const took = Date.now() - t0;
  assert.equal(res.reason, 'duration');
  assert.ok(took >= 390 && took < 3000, `${took} ms`);
  const held = Number(/(\d+) connections held/.exec(err.writes.join(''))![1]);
  assert.ok(held > 0 && held < 248, `${held} connections held from half the capture`);
  assert.equal(out.writes.length, held, 'every connection held is written at the end');
  const ids = out.writes.map((w) => JSON.parse(w).id as number).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: held }, (_, k) => k + 1));
});

test('the wall clock ends connections while no packet comes', async () => {
  let wall = 1000;
  const finals: number[] = [];
  const e = new LiveEngine({ grace: 2, now: () => wall, onFinal: (i) => finals.push(i) });
  e.capture('x').push(readFileSync(fixture('tcp/clean-close-client.pcap')));
  e.tick();
  assert.deepEqual(finals, []);
  wall += 2100;
  e.tick();
  assert.deepEqual(finals, [0]);
});

test('rsttui flows --follow FILE writes records as the file grows, and the rest and the summary on Ctrl-C', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, appendFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { BIN } = await import('./helpers.js');
  const buf = readFileSync(fixture('demo/inside.pcap'));
  const path = join(mkdtempSync(join(tmpdir(), 'rsttui-follow-')), 'grow.pcap');
  const half = Math.floor(buf.length / 2);
  writeFileSync(path, buf.subarray(0, half));
  const child = spawn('node', [BIN, 'flows', '--follow', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const until = async (f: () => boolean, what: string) => {
    const end = Date.now() + 10000;
    while (!f()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${err}`);
      await sleep(20);
    }
  };
  await until(() => out.split('\n').length > 10, 'records from the first half');
  const first = out.split('\n').length - 1;
  assert.ok(first < 248);
  appendFileSync(path, buf.subarray(half));
  // (all but the last few connections end within the capture)
  await until(() => out.split('\n').length - 1 > 230, 'records from the second half');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 248);
  assert.equal(new Set(lines.map((l) => JSON.parse(l).id)).size, 248);
  assert.match(err, /^live: 248 records written, 5084 packets/m);
  assert.match(err, /^teardown$/m);
});

test('a tick over its budget leaves the rest to the ticks after it: the same records', async () => {
  const path = fixture('demo/inside.pcap');
  const rows: string[] = [];
  const e = new LiveEngine({ wallClock: false, idleTimeout: 3600, onFinal: (i) => rows.push(JSON.stringify(flowRecord(liveDataset(e, undefined), i))) });
  const c = e.capture('inside.pcap', path);
  const buf = readFileSync(path);
  let most = 0, ticks = 0;
  for (let o = 0; o < buf.length; o += 250000) {
    c.push(buf.subarray(o, o + 250000));
    // (a budget of 0: each tick stops after its first 16 connections)
    do {
      e.tick(undefined, false, 0);
      most = Math.max(most, e.backlog);
      ticks++;
    } while (e.backlog > 0);
  }
  c.end();
  e.finish();
  assert.ok(most > 0 && ticks > 5, `backlog ${most} over ${ticks} ticks`);
  assert.deepEqual(byId(rows), await batchRows(path));
});
