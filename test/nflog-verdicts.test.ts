/**
 * The firewall's verdict in an NFLOG capture: a packet logged under a prefix that names a drop
 * (DROP, REJECT, BLOCK, DENY, INVALID, or a --fw-drop-prefix word) was dropped, and a RST dropped
 * so gives its connection `rst-denied`. On the real fixtures (fixtures/gen/make-nflog.sh: the
 * router logs the seed's late RSTs as `INVALID DROP: ` and everything else as `FWD ACCEPT: `) and
 * on copies of them with the drop prefix rewritten.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadDataset, type Dataset, type DatasetOptions } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { explainLines } from '../src/cli/explain.js';
import { buildTimeline } from '../src/ui/view/ladder.js';
import { nflogNoteAt, type NflogNotes } from '../src/flows/nflog-notes.js';
import { DropCursor, isDropPrefix, markDroppedRsts, markNflogDrops } from '../src/flows/nflog-verdicts.js';
import { RST, SYN, ACK } from '../src/model.js';
import { BIN, fixture } from './helpers.js';

const PCAP = fixture('formats/nflog.pcap');
const PCAPNG = fixture('formats/nflog.pcapng');
const DROP = 'INVALID DROP: ';
/** the seed's connection (IPv4, port 8006: its two RSTs, frames 22 and 23, were logged as INVALID DROP) and the clean IPv6 one */
const SEED_PORT = 8006;
const CLEAN_PORT = 8005;
const DROPPED_FRAMES = [22, 23];

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-nflog-verdicts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of `src` with every `INVALID DROP: ` prefix replaced by `prefix` (same length: the TLVs keep their sizes). */
function withPrefix(dir: string, src: string, prefix: string): string {
  assert.equal(prefix.length, DROP.length);
  const data = readFileSync(src);
  const from = Buffer.from(DROP), to = Buffer.from(prefix);
  let n = 0;
  for (let at = data.indexOf(from); at >= 0; at = data.indexOf(from, at + 1), n++) to.copy(data, at);
  assert.equal(n, 2, 'the fixture logs two packets as INVALID DROP');
  const out = join(dir, src.endsWith('.pcapng') ? 'renamed.pcapng' : 'renamed.pcap');
  writeFileSync(out, data);
  return out;
}

const connOf = (ds: Dataset, port: number): number => {
  for (let i = 0; i < ds.conns.count; i++) if (ds.conns.respPort[i] === port) return i;
  throw new Error(`no connection to port ${port}`);
};

/** The frames the verdict's rst-denied evidence points at. */
const deniedFrames = (ds: Dataset, i: number): number[] => {
  const pr = ds.primaryRows(i);
  return (ds.verdict(i).evidence['rst-denied'] ?? []).map((k) => ds.packets.frame(pr[k]!));
};

test('the fixtures: the seed connection gets rst-denied beside late-rst, its class and closing side unchanged; the clean IPv6 one nothing', async () => {
  for (const [path, opts] of [[PCAP, {}], [PCAPNG, {}], [PCAP, { worker: 'always' }]] as [string, DatasetOptions][]) {
    const ds = await loadDataset([path], opts);
    const seed = flowRecord(ds, connOf(ds, SEED_PORT));
    assert.deepEqual(seed.anomalies, ['rst-after-fin', 'late-rst', 'rst-denied'], path);
    assert.equal(seed.teardown, 'fin-then-rst');
    assert.equal(seed.closed_by, 'resp');
    assert.deepEqual(deniedFrames(ds, connOf(ds, SEED_PORT)), DROPPED_FRAMES);
    const clean = flowRecord(ds, connOf(ds, CLEAN_PORT));
    assert.deepEqual(clean.anomalies, [], path);
    assert.equal(clean.teardown, 'graceful');
    assert.deepEqual(deniedFrames(ds, connOf(ds, CLEAN_PORT)), []);
  }
});

test('explain and the ladder say which packets the firewall dropped, naming the prefix', async () => {
  const ds = await loadDataset([PCAP]);
  const i = connOf(ds, SEED_PORT);
  const lines = explainLines(ds, i);
  const byFrame = (f: number): string => lines.find((l) => new RegExp(`\\s${f}  \\S`).test(l))!;
  assert.match(byFrame(22), /←\s+R\s.*NFLOG group 5 "INVALID DROP: ": dropped by the firewall \(.*\), so it never reached the client: server answers/);
  assert.match(byFrame(23), /→\s+RA\s.*NFLOG group 5 "INVALID DROP: ": dropped by the firewall \(.*\), so it never reached the server: client sends RST/);
  assert.match(byFrame(21), /NFLOG group 5 "FWD ACCEPT: ": client sends FIN/);
  assert.equal(lines.filter((l) => l.includes('dropped by the firewall')).length, 2);
  assert.match(lines.find((l) => l.includes('anomalies'))!, /rst-denied \(nflog\.pcap frame 22, nflog\.pcap frame 23\)/);
  const rows = buildTimeline(ds, i).rows.filter((r) => r.kind === 'packet');
  const dropped = rows.filter((r) => r.label.includes('DROPPED'));
  assert.deepEqual(dropped.map((r) => r.k), [10, 11]);
  for (const r of dropped) {
    assert.ok(r.anomaly);
    assert.match(r.note, /^NFLOG group 5 "INVALID DROP: ": dropped by the firewall \(/);
  }
  assert.ok(rows.slice(0, 10).every((r) => r.note.startsWith('NFLOG group 5 "FWD ACCEPT: ": ') && !r.note.includes('dropped')));
  // the clean connection: nothing dropped
  assert.ok(!explainLines(ds, connOf(ds, CLEAN_PORT)).some((l) => l.includes('dropped')));
});

test('a custom prefix counts as a drop only when named by dropPrefixes (any case); also on the command line', async (t) => {
  const dir = tmp(t);
  for (const src of [PCAP, PCAPNG]) {
    const path = withPrefix(dir, src, 'XYZZY KILLED: ');
    const plain = await loadDataset([path]);
    assert.ok(!flowRecord(plain, connOf(plain, SEED_PORT)).anomalies.includes('rst-denied'), src);
    // (late-rst is the packets' verdict: it stays)
    assert.ok(flowRecord(plain, connOf(plain, SEED_PORT)).anomalies.includes('late-rst'));
    const named = await loadDataset([path], { dropPrefixes: ['other', 'killed'] });
    const i = connOf(named, SEED_PORT);
    assert.ok(flowRecord(named, i).anomalies.includes('rst-denied'), src);
    assert.deepEqual(deniedFrames(named, i), DROPPED_FRAMES);
    assert.deepEqual(flowRecord(named, connOf(named, CLEAN_PORT)).anomalies, []);
  }
  const path = withPrefix(dir, PCAP, 'XYZZY KILLED: ');
  const run = (...extra: string[]) => {
    const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', ...extra, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { resp_p: number; anomalies: string[] });
  };
  assert.ok(!run().find((f) => f.resp_p === SEED_PORT)!.anomalies.includes('rst-denied'));
  assert.ok(run('--fw-drop-prefix', 'KiLLeD').find((f) => f.resp_p === SEED_PORT)!.anomalies.includes('rst-denied'));
  const empty = spawnSync('node', [BIN, 'flows', '--fw-drop-prefix', ' ', path], { encoding: 'utf8' });
  assert.notEqual(empty.status, 0);
  assert.match(empty.stderr, /--fw-drop-prefix wants a word/);
});

test('an ACCEPT-prefixed RST is not a drop: no rst-denied, nothing said dropped, and the flow lines are written during the pass', async (t) => {
  const path = withPrefix(tmp(t), PCAP, 'LATE ACCEPT:  ');
  let bytes = 0;
  const ds = await loadDataset([path], { flowLines: (b) => (bytes += b.length) });
  const seed = flowRecord(ds, connOf(ds, SEED_PORT));
  assert.deepEqual(seed.anomalies, ['rst-after-fin', 'late-rst']);
  assert.equal(seed.teardown, 'fin-then-rst');
  assert.ok(!explainLines(ds, connOf(ds, SEED_PORT)).some((l) => l.includes('dropped by the firewall')));
  assert.ok(!buildTimeline(ds, connOf(ds, SEED_PORT)).rows.some((r) => r.label.includes('DROPPED')));
  // (no drop anywhere: nothing to add after the pass, so the lines were final during it)
  assert.ok(ds.flowLinesWritten);
  assert.ok(bytes > 0);
  // with drops, the lines wait for the rst-denied the walk adds; the CLI's lines carry it
  const dropped = await loadDataset([PCAP], { flowLines: () => undefined });
  assert.equal(dropped.flowLinesWritten, false);
  const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', PCAP], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { resp_p: number; anomalies: string[] });
  assert.deepEqual(lines.find((f) => f.resp_p === SEED_PORT)!.anomalies, ['rst-after-fin', 'late-rst', 'rst-denied']);
});

test('captures of other link types have no NFLOG notes: nothing is walked and their verdicts are as before', async () => {
  const ds = await loadDataset([fixture('tcp/fin-then-rst-late.pcap')], { flowLines: () => undefined, dropPrefixes: ['FIN'] });
  assert.equal(ds.files[0]!.nflog, undefined);
  assert.ok(ds.flowLinesWritten);
  for (let i = 0; i < ds.conns.count; i++) assert.ok(!flowRecord(ds, i).anomalies.includes('rst-denied'));
});

test('isDropPrefix: the five words anywhere in the prefix, any case; more words only when given', () => {
  for (const p of ['INVALID DROP: ', 'fw-reject ', 'Blocked ', 'DENY in ', 'ct invalid ', 'x_DrOp_y']) assert.ok(isDropPrefix(p, undefined), p);
  for (const p of ['FWD ACCEPT: ', '', 'LOG ', 'INVALI D', 'KILLED ']) assert.ok(!isDropPrefix(p, undefined), p);
  assert.ok(isDropPrefix('KILLED ', ['killed']));
  assert.ok(!isDropPrefix('KILLED ', ['']));
  assert.ok(!isDropPrefix('', ['']));
});

/** Notes with `runs` runs at random frames, drop or not at random. */
function randomNotes(runs: number, seed: number): NflogNotes {
  let s = seed;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const frames: number[] = [];
  for (let f = 1 + Math.floor(rnd() * 3); frames.length < runs; f += 1 + Math.floor(rnd() * 5)) frames.push(f);
  const prefixes = frames.map(() => (rnd() < 0.4 ? DROP : 'FWD ACCEPT: '));
  const notes: NflogNotes = { frames, groups: frames.map(() => 5), prefixes, damaged: [], moreDamaged: 0 };
  markNflogDrops(notes, undefined);
  return notes;
}

test('DropCursor answers as the binary search does, for frames ascending, with jumps, and going back', () => {
  for (const seed of [1, 2, 3]) {
    const notes = randomNotes(500, seed);
    const last = notes.frames[notes.frames.length - 1]! + 3;
    const expect = (f: number): boolean => nflogNoteAt(notes, f)?.dropped ?? false;
    const asc = new DropCursor(notes);
    for (let f = 0; f <= last; f++) assert.equal(asc.dropped(f), expect(f), `seed ${seed} frame ${f}`);
    // far jumps and going back (a connection's packets of another capture order, a view)
    const mixed = new DropCursor(notes);
    for (const f of [last, 1, 700, 699, 2, last - 1, 0, 350, 351, 900, 30]) assert.equal(mixed.dropped(f), expect(f), `seed ${seed} frame ${f}`);
  }
  assert.ok(randomNotes(500, 1).drops!.some((d) => d === 1) && randomNotes(500, 1).drops!.some((d) => d === 0));
  // no drops computed yet: nothing is dropped
  const bare: NflogNotes = { frames: [1], groups: [5], prefixes: [DROP], damaged: [], moreDamaged: 0 };
  assert.equal(new DropCursor(bare).dropped(1), false);
  assert.equal(nflogNoteAt(bare, 1)!.dropped, false);
});

test('markDroppedRsts marks the connections of RSTs under drop runs only, and counts them', () => {
  const notes: NflogNotes = { frames: [1, 4, 6], groups: [5, 5, 5], prefixes: ['FWD ACCEPT: ', DROP, 'FWD ACCEPT: '], damaged: [], moreDamaged: 0 };
  assert.equal(markNflogDrops(notes, undefined), true);
  // rows 0..6 are frames 1..7 (frame 3 is no TCP packet: rows skip it)
  const frames = [1, 2, 4, 5, 6, 7];
  const flags = [SYN, RST, RST | ACK, ACK, RST, RST];
  const conn = [0, 1, 2, 3, 4, 5];
  const rows = { flags: (r: number) => flags[r]!, frame: (r: number) => frames[r]!, conn: (r: number) => conn[r]! };
  const an = new Uint32Array(6);
  assert.equal(markDroppedRsts(notes, rows, 0, frames.length, an, 8), 1);
  assert.deepEqual(Array.from(an), [0, 0, 8, 0, 0, 0]);
  const none: NflogNotes = { ...notes, prefixes: ['a', 'b', 'c'] };
  assert.equal(markNflogDrops(none, undefined), false);
  assert.deepEqual(Array.from(none.drops!), [0, 0, 0]);
});
