/**
 * Impact per connection (src/analysis/impact.ts): bytes each side had unacknowledged at the first
 * RST, and whether data was lost. Hand-made packet sequences first (wrap-around, retransmissions,
 * one-sided captures), then the real captures end to end (loadDataset + flowRecord + the filter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, MARK_RESP, PSH, RST, SYN } from '../src/model.js';
import { connPacketsFrom, type ConnPackets } from '../src/analysis/conn-packets.js';
import { impact, LOST_NO, LOST_UNKNOWN, LOST_YES } from '../src/analysis/impact.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, packetRecord, fileOfRow, type FlowRecord } from '../src/export/records.js';
import { datasetTarget } from '../src/flows/filter-target.js';
import { compileFilter, matchingRows } from '../src/filter/index.js';
import { explainImpact } from '../src/analysis/explain.js';
import { SAY_IMPACT } from '../src/analysis/glossary.js';
import { explainLines } from '../src/cli/explain.js';
import { fixture } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// Packets by hand: [side, flags, seq, ack, len], sequence numbers absolute (uint32).

type Row = ['c' | 's', string, number, number, number?];
const FL: Record<string, number> = { F: FIN, S: SYN, R: RST, P: PSH, A: ACK };
function packets(rows: Row[]): ConnPackets {
  return connPacketsFrom(rows.map(([side, letters, seq, ack, len], k) => {
    let flags = 0;
    for (const ch of letters) flags |= FL[ch]!;
    return { ts: 1000 + k / 1000, flags, seq: seq >>> 0, ack: ack >>> 0, len: len ?? 0, win: 64240, mark: side === 's' ? MARK_RESP : 0 };
  }));
}

const C = 1000, S = 5000; // ISNs
// handshake and an 11-byte request, acknowledged
const OPEN: Row[] = [['c', 'S', C, 0], ['s', 'SA', S, C + 1], ['c', 'A', C + 1, S + 1], ['c', 'PA', C + 1, S + 1, 11], ['s', 'A', S + 1, C + 12]];

test('impact: a clean exchange and close, no RST: nothing unacknowledged, no loss', () => {
  const r = impact(packets([...OPEN, ['s', 'PA', S + 1, C + 12, 100], ['c', 'A', C + 12, S + 101], ['c', 'FA', C + 12, S + 101], ['s', 'FA', S + 101, C + 13], ['c', 'A', C + 13, S + 102]]));
  assert.deepEqual([r.unackedOrig, r.unackedResp, r.dataLost, r.rst], [0, 0, LOST_NO, -1]);
});

test('impact: a RST while the server has data in flight counts the bytes the client had not acknowledged', () => {
  const p = packets([...OPEN,
    ['s', 'A', S + 1, C + 12, 1448], ['s', 'A', S + 1449, C + 12, 1448], ['s', 'PA', S + 2897, C + 12, 1448],
    ['c', 'A', C + 12, S + 1449], // only the first segment acknowledged
    ['c', 'RA', C + 12, S + 1449]]);
  const r = impact(p);
  assert.equal(r.unackedResp, 2 * 1448);
  assert.equal(r.unackedOrig, 0);
  assert.equal(r.dataLost, LOST_YES);
  assert.equal(r.rst, p.n - 1);
  // the same with the client's request never acknowledged: its 11 bytes count too
  const q = impact(packets([['c', 'S', C, 0], ['s', 'SA', S, C + 1], ['c', 'A', C + 1, S + 1], ['c', 'PA', C + 1, S + 1, 11], ['s', 'R', S + 1, 0]]));
  assert.deepEqual([q.unackedOrig, q.unackedResp, q.dataLost], [11, 0, LOST_YES]);
});

test('impact: sequence numbers that wrap past 2^32 (and past 2^31, where int32 arithmetic turns) are compared modulo 2^32', () => {
  for (const top of [0xffffffff, 0x7fffffff]) {
    const s0 = top - 1499; // the server's data crosses `top` in its second segment
    const base: Row[] = [['c', 'S', C, 0], ['s', 'SA', s0, C + 1], ['c', 'A', C + 1, s0 + 1]];
    const seg = (k: number): Row => ['s', 'PA', s0 + 1 + 1000 * k, C + 1, 1000];
    const at = (acked: number) => impact(packets([...base, seg(0), seg(1), seg(2), ['c', 'A', C + 1, s0 + 1 + acked], ['c', 'RA', C + 1, s0 + 1 + acked]]));
    assert.equal(at(1000).unackedResp, 2000, `${top}: acknowledged below the wrap`);
    assert.equal(at(2000).unackedResp, 1000, `${top}: acknowledged past it`);
    const all = at(3000);
    assert.deepEqual([all.unackedResp, all.dataLost], [0, LOST_NO], `${top}: all of it`);
  }
});

test('impact: retransmissions and out-of-order segments do not add to the count', () => {
  const seg = (k: number): Row => ['s', 'A', S + 1 + 1000 * k, C + 12, 1000];
  // segments 0..3 (2 after 3: out of order), 3 and 1 sent again (retransmissions, 1 last), the client acks segment 0
  const r = impact(packets([...OPEN, seg(0), seg(1), seg(3), seg(2), seg(3), seg(1), ['c', 'A', C + 12, S + 1001], ['c', 'RA', C + 12, S + 1001]]));
  assert.equal(r.unackedResp, 3000);
  // an old ACK after a newer one (reordered) does not lower what was acknowledged
  const o = impact(packets([...OPEN, seg(0), seg(1), ['c', 'A', C + 12, S + 2001], ['c', 'A', C + 12, S + 1001], ['c', 'RA', C + 12, S + 2001]]));
  assert.equal(o.unackedResp, 0);
});

test("impact: SYN and FIN are not data; the seed's FIN+RST after everything was acknowledged loses nothing", () => {
  // server's data and FIN acknowledged, client FIN and RST back to back: the client's FIN is
  // unacknowledged, but it is no data
  const r = impact(packets([...OPEN, ['s', 'PA', S + 1, C + 12, 50], ['s', 'FA', S + 51, C + 12], ['c', 'A', C + 12, S + 52],
    ['c', 'FA', C + 12, S + 52], ['c', 'RA', C + 13, S + 52], ['s', 'R', S + 52, 0]]));
  assert.deepEqual([r.unackedOrig, r.unackedResp, r.dataLost], [0, 0, LOST_NO]);
  // data on a SYN (TCP Fast Open) starts after the SYN's own sequence number
  const tfo = impact(packets([['c', 'S', C, 0, 20], ['s', 'SA', S, C + 21], ['s', 'R', S + 1, 0]]));
  assert.equal(tfo.unackedOrig, 0);
  const tfoShort = impact(packets([['c', 'S', C, 0, 20], ['s', 'SA', S, C + 11], ['s', 'R', S + 1, 0]]));
  assert.equal(tfoShort.unackedOrig, 10);
});

test("impact: a RST's ACK field is not an acknowledgement, and nothing after the first RST changes the counts", () => {
  // the server refuses the client's data with a RST whose ACK field covers it (a stateless reset)
  const r = impact(packets([...OPEN, ['s', 'FA', S + 1, C + 12], ['c', 'A', C + 12, S + 2], ['c', 'PA', C + 12, S + 2, 14], ['s', 'RA', S + 2, C + 26]]));
  assert.equal(r.unackedOrig, 14);
  // an ACK that comes after the RST does not count
  const late = impact(packets([...OPEN, ['s', 'PA', S + 1, C + 12, 500], ['c', 'RA', C + 12, S + 1], ['c', 'A', C + 12, S + 501]]));
  assert.equal(late.unackedResp, 500);
});

test('impact: payload after the first RST is data lost, counted per byte; a RST\'s own payload is not', () => {
  const r = impact(packets([...OPEN, ['s', 'RA', S + 1, C + 12], ['c', 'PA', C + 12, S + 1, 10], ['c', 'PA', C + 22, S + 1, 5], ['s', 'R', S + 1, 0, 30]]));
  assert.deepEqual([r.unackedOrig, r.unackedResp], [0, 0]);
  assert.equal(r.dataLost, LOST_YES);
  assert.equal(r.afterRstBytes, 15);
  assert.equal(r.afterRst, OPEN.length + 1);
});

test('impact: a one-sided capture does not make the count up', () => {
  // only the server's packets: its data is never acknowledged in the capture, unknown; the
  // client sent nothing here, so 0
  const r = impact(packets([['s', 'A', S + 1, C + 12, 1000], ['s', 'A', S + 1001, C + 12, 1000], ['s', 'RA', S + 2001, C + 12]]));
  assert.ok(Number.isNaN(r.unackedResp));
  assert.equal(r.unackedOrig, 0);
  assert.equal(r.dataLost, LOST_UNKNOWN);
  // the same, ended by nothing: no RST, so nothing was lost at one
  const open = impact(packets([['s', 'A', S + 1, C + 12, 1000]]));
  assert.ok(Number.isNaN(open.unackedResp));
  assert.equal(open.dataLost, LOST_NO);
  // a midstream capture with both directions counts from what it has
  const mid = impact(packets([['c', 'PA', C + 100, S + 100, 20], ['s', 'A', S + 100, C + 110], ['c', 'RA', C + 120, S + 100]]));
  assert.deepEqual([mid.unackedOrig, mid.unackedResp, mid.dataLost], [10, 0, LOST_YES]);
  // payload seen after the RST says data was lost even when a count is unknown
  const after = impact(packets([['s', 'A', S + 1, C + 12, 1000], ['c', 'R', C + 12, 0], ['s', 'A', S + 1001, C + 12, 1000]]));
  assert.equal(after.dataLost, LOST_YES);
});

test('impact: `out` is written in place and reset by each call', () => {
  const out = impact(packets([...OPEN, ['s', 'A', S + 1, C + 12, 100], ['c', 'RA', C + 12, S + 1], ['s', 'A', S + 101, C + 12, 1]]));
  assert.equal(out.afterRst, OPEN.length + 2);
  const again = impact(packets(OPEN), out);
  assert.equal(again, out);
  assert.deepEqual([out.unackedOrig, out.unackedResp, out.dataLost, out.rst, out.afterRst, out.afterRstBytes], [0, 0, LOST_NO, -1, -1, 0]);
});

// ---------------------------------------------------------------------------------------------
// Real captures (fixtures/tcp, the demo), end to end.

const load = (paths: string[]): Promise<Dataset> => loadDataset(paths.map(fixture));
const records = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));

/**
 * The unacknowledged bytes of `side` at the first RST, worked out from the packet records with
 * numbers relative to each side's SYN (not impact.ts's modular maxima): the largest relative
 * end of its data minus the largest relative ACK of the peer before that RST.
 */
function unackedFromRecords(ds: Dataset, i: number, side: 'orig' | 'resp'): number {
  const recs = Array.from(ds.primaryRows(i), (r) => packetRecord(ds, r, fileOfRow(ds, r)));
  const { orig_h: oh, orig_p: op } = flowRecord(ds, i);
  const fromOrig = (r: (typeof recs)[number]): boolean => r.src === oh && r.sport === op;
  const isn = { orig: recs.find((r) => fromOrig(r) && r.flags.includes('S'))!.seq, resp: recs.find((r) => !fromOrig(r) && r.flags.includes('S'))!.seq };
  let end = 0, acked = 0;
  for (const r of recs) {
    if (r.flags.includes('R')) break;
    const mine = fromOrig(r) === (side === 'orig');
    if (mine && r.len > 0) end = Math.max(end, (r.seq - isn[side] + 2 ** 32) % 2 ** 32 + r.len);
    if (!mine && r.flags.includes('A')) acked = Math.max(acked, (r.ack - isn[side] + 2 ** 32) % 2 ** 32);
  }
  return Math.max(0, end - acked);
}

test('abort-in-flight (server side): the server had data in flight when the client\'s RST came', async () => {
  const ds = await load(['tcp/abort-in-flight.pcap']);
  const [r] = records(ds);
  assert.equal(r!.teardown, 'abort');
  const expected = unackedFromRecords(ds, 0, 'resp');
  assert.ok(expected > 0, 'the capture shows unacknowledged server data (else regenerate it)');
  assert.equal(r!.unacked_resp, expected);
  assert.equal(r!.unacked_orig, unackedFromRecords(ds, 0, 'orig'));
  assert.equal(r!.data_lost, true);
});

test('abort-in-flight (client side): everything received was acknowledged, the rest arrived after the RST', async () => {
  const ds = await load(['tcp/abort-in-flight-client-side.pcap']);
  const [r] = records(ds);
  assert.equal(r!.unacked_resp, unackedFromRecords(ds, 0, 'resp'));
  assert.ok(r!.anomalies.includes('data-after-rst'));
  assert.equal(r!.data_lost, true);
});

test("data-to-closed: the client's data after the server's FIN was never acknowledged: data lost", async () => {
  const ds = await load(['tcp/data-to-closed.pcap']);
  const [r] = records(ds);
  const recs = Array.from(ds.primaryRows(0), (row) => packetRecord(ds, row, 0));
  const lastClientData = recs.filter((p) => p.sport === r!.orig_p && p.len > 0).pop()!;
  assert.equal(r!.unacked_orig, lastClientData.len, 'the bytes the server answered with RST');
  assert.equal(r!.unacked_orig, unackedFromRecords(ds, 0, 'orig'));
  assert.equal(r!.unacked_resp, 0);
  assert.equal(r!.data_lost, true);
});

test("the seed's harmless FIN+RST: every byte acknowledged, no data lost (fixtures and the demo)", async () => {
  for (const f of ['tcp/fin-then-rst.pcap', 'tcp/fin-then-rst-server-side.pcap', 'tcp/fin-then-rst-late.pcap']) {
    const [r] = records(await load([f]));
    assert.deepEqual([r!.teardown, r!.unacked_orig, r!.unacked_resp, r!.data_lost], ['fin-then-rst', 0, 0, false], f);
  }
  const demo = await load(['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log']);
  const recs = records(demo);
  const finRst = recs.filter((r) => r.teardown === 'fin-then-rst');
  assert.ok(finRst.length > 0);
  for (const r of finRst) assert.deepEqual([r.unacked_orig, r.unacked_resp, r.data_lost], [0, 0, false], `demo connection ${r.id}`);
  // log-only rows (denied by policy, never captured): nothing is known
  const logOnly = recs.filter((r) => r.vantages.length === 0);
  assert.ok(logOnly.length > 0);
  for (const r of logOnly) assert.deepEqual([r.unacked_orig, r.unacked_resp, r.data_lost], [null, null, null], `demo connection ${r.id}`);
});

test('a firewall log alone: every impact field is null', async () => {
  const recs = records(await load(['logs/messages.log']));
  assert.ok(recs.length > 0);
  for (const r of recs) assert.deepEqual([r.unacked_orig, r.unacked_resp, r.data_lost], [null, null, null]);
});

test('filter fields: data_lost, unacked_orig, unacked_resp select what the records say', async () => {
  const ds = await load(['tcp/abort-in-flight.pcap', 'tcp/abort-in-flight-client-side.pcap', 'tcp/data-to-closed.pcap', 'tcp/fin-then-rst.pcap', 'tcp/clean-close-client.pcap', 'logs/messages.log']);
  const recs = records(ds);
  const t = datasetTarget(ds);
  const ids = (expr: string): number[] => {
    const c = compileFilter(expr, t);
    if (!c.ok) throw new Error(`${expr}: ${c.error.message}`);
    return Array.from(matchingRows(t.count, c.test), (i) => i + 1);
  };
  const where = (f: (r: FlowRecord) => boolean): number[] => recs.filter(f).map((r) => r.id);
  assert.ok(where((r) => r.data_lost === true).length >= 3);
  assert.deepEqual(ids('data_lost'), where((r) => r.data_lost === true));
  assert.deepEqual(ids('data_lost == false'), where((r) => r.data_lost === false));
  assert.deepEqual(ids('unacked_resp > 0'), where((r) => (r.unacked_resp ?? 0) > 0));
  assert.deepEqual(ids('unacked_orig >= 1'), where((r) => (r.unacked_orig ?? 0) >= 1));
  // alone: known; unknown (log-only) rows match no comparison
  assert.deepEqual(ids('unacked_orig'), where((r) => r.unacked_orig !== null));
  assert.deepEqual(ids('unacked_orig == 0 or unacked_orig > 0'), where((r) => r.unacked_orig !== null));
  assert.ok(ids('not unacked_orig').length > 0, 'the log-only rows');
});

test('explain: one impact line, with the counts the records give', async () => {
  const line = async (f: string, id = 1): Promise<string> => {
    const ds = await load([f]);
    const l = explainLines(ds, id - 1).filter((x) => x.startsWith('  impact '));
    assert.equal(l.length, 1, f);
    return l[0]!.replace(/^ {2}impact +/, '');
  };
  const rec = async (f: string): Promise<FlowRecord> => flowRecord(await load([f]), 0);
  const inFlight = await rec('tcp/abort-in-flight.pcap');
  assert.equal(await line('tcp/abort-in-flight.pcap'), SAY_IMPACT.unacked('server', inFlight.unacked_resp!, 'client') + SAY_IMPACT.lost);
  const closed = await rec('tcp/data-to-closed.pcap');
  assert.equal(await line('tcp/data-to-closed.pcap'), SAY_IMPACT.unacked('client', closed.unacked_orig!, 'server') + SAY_IMPACT.lost);
  assert.match(await line('tcp/abort-in-flight-client-side.pcap'), /came after the RST.*: data lost$/);
  assert.equal(await line('tcp/fin-then-rst.pcap'), SAY_IMPACT.allAcked('client'));
  assert.equal(await line('tcp/clean-close-client.pcap'), SAY_IMPACT.noRstAllAcked);
  assert.equal(await line('logs/messages.log'), SAY_IMPACT.noPackets);
  // by hand: a one-sided capture says it cannot tell
  const p = packets([['s', 'A', S + 1, C + 12, 1000], ['s', 'RA', S + 1001, C + 12]]);
  assert.equal(explainImpact(p), SAY_IMPACT.unknown('server', 'client') + SAY_IMPACT.lostUnknown);
  assert.equal(explainImpact(packets([...OPEN, ['s', 'A', S + 1, C + 12, 700]])), SAY_IMPACT.noRstUnacked(SAY_IMPACT.noRstSide('server', 700)));
});
