/**
 * The live engine with each interface of a capture stream as a vantage, over a real two-interface
 * capture of a router (fixtures/live/two-ifaces.pcapng: graceful, an abort whose RST the router
 * dropped, a closed port): each connection one record naming both vantages, the dropped RST
 * marked. No root needed (the capture is a file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LiveEngine } from '../src/flows/live.js';
import { everyRow, liveDataset } from '../src/flows/live-view.js';
import { fileOfRow, flowRecord } from '../src/export/records.js';
import { MARK_MISSING_ELSEWHERE } from '../src/correlate/vantage.js';
import { fixture } from './helpers.js';
import { newLiveRows, shownRows, takeView } from '../src/ui/view/live-rows.js';

const path = fixture('live/two-ifaces.pcapng');

function run(vantages?: string[]): { e: LiveEngine; records: ReturnType<typeof flowRecord>[] } {
  const records: ReturnType<typeof flowRecord>[] = [];
  const e: LiveEngine = new LiveEngine({ wallClock: false, onFinal: (i) => records.push(flowRecord(liveDataset(e, undefined), i)) });
  const c = e.capture('router', path, vantages);
  const buf = readFileSync(path);
  for (let o = 0; o < buf.length; o += 700) {
    c.push(buf.subarray(o, o + 700));
    e.tick();
  }
  c.end();
  e.finish();
  return { e, records };
}

test('two interfaces as vantages: one record a connection, both named, the RST the router dropped marked', () => {
  const apart = run();
  // (without vantages the interfaces are kept apart, as a pcapng file is read: each connection twice)
  assert.equal(apart.records.length, 6);
  const { e, records } = run(['rin', 'rout']);
  assert.equal(records.length, 3, JSON.stringify(records));
  for (const r of records) assert.deepEqual(r.vantages, ['rin', 'rout']);
  const by = new Map(records.map((r) => [r.teardown, r]));
  assert.deepEqual([...by.keys()].sort(), ['abort', 'graceful', 'rejected']);
  assert.ok(by.get('abort')!.anomalies.includes('dropped-between-vantages'), JSON.stringify(by.get('abort')));
  for (const k of ['graceful', 'rejected']) assert.ok(!by.get(k)!.anomalies.includes('dropped-between-vantages'), k);
  // the view: the merged rows are not rows; the abort's RST is on the inside, missing outside
  const ds = liveDataset(e, undefined, e.published, { seq: 0, gen: e.gen, from: 0, changed: new Uint32Array(0), idOf: (i) => e.idOf(i), hidden: (i) => e.isMerged(i) });
  const rows = everyRow(ds);
  assert.equal(rows.length, 3);
  assert.equal(ds.conns.count, 6);
  const abort = [...rows].find((i) => ds.conns.anomalies[i]! !== 0 && flowRecord(ds, i).teardown === 'abort')!;
  const pr = ds.primaryRows(abort);
  const last = pr[pr.length - 1]!;
  assert.equal(ds.files[fileOfRow(ds, last)]!.name, 'rin', 'the RST was captured on the inside');
  assert.ok(ds.packets.mark(last) & MARK_MISSING_ELSEWHERE, 'and is marked missing at the other vantage');
});

test('the live list leaves out the rows merged into another, with and without a filter', () => {
  const { e } = run(['rin', 'rout']);
  const ds = liveDataset(e, undefined, e.published, { seq: 1, gen: e.gen, from: 0, changed: new Uint32Array(0), idOf: (i) => e.idOf(i), hidden: (i) => e.isMerged(i) });
  const st = newLiveRows();
  const target = takeView(st, ds);
  const all = shownRows(st, target, '');
  assert.deepEqual([...all], [...everyRow(ds)]);
  assert.equal(all.length, 3);
  const aborts = shownRows(st, target, 'teardown == abort');
  assert.equal(aborts.length, 1, 'the abort once, not once an interface');
  assert.equal(shownRows(st, target, '').length, 3, 'back to no filter');
});

test('--keep compaction: a merged connection stays hidden when the row it was merged into is dropped before it', () => {
  const { e } = run(['rin', 'rout']);
  const v = e.vantages!;
  const n = e.conns.count;
  const merged = Array.from({ length: n }, (_, c) => c).filter((c) => v.isMerged(c));
  assert.equal(merged.length, 3);
  assert.equal(v.hidden, 3);
  // drop the first pair's row (its primary), keep everything else
  const s = merged[0]!, p = v.mergedInto(s);
  const others = merged.slice(1).map((m) => [m, v.mergedInto(m)] as const);
  const newIndex = new Int32Array(n).fill(-1);
  const kept: number[] = [];
  for (let c = 0; c < n; c++) if (c !== p) newIndex[c] = kept.push(c) - 1;
  v.compact(newIndex, Int32Array.from(kept));
  assert.ok(v.isMerged(newIndex[s]!), 'still not a row of its own');
  assert.equal(v.mergedInto(newIndex[s]!), -1, 'its row is gone');
  for (const [m, pm] of others) assert.equal(v.mergedInto(newIndex[m]!), newIndex[pm]!, 'the others follow their rows');
  assert.equal(v.hidden, 3);
});

test('an open connection seen at both interfaces is one row before it is over (matched early), and its record is still one', () => {
  const records: number[] = [];
  const e: LiveEngine = new LiveEngine({ wallClock: false, onFinal: (i) => records.push(e.conns.origPort[i]!) });
  const c = e.capture('router', path, ['rin', 'rout']);
  const buf = readFileSync(path);
  let sawOneOfTwo = false;
  for (let o = 0; o < buf.length; o += 300) {
    c.push(buf.subarray(o, o + 300));
    e.tick();
    const conns = e.conns;
    // connections held and rows shown per tuple, for those not written yet
    const held = new Map<number, number>(), shown = new Map<number, number>();
    for (let i = 0; i < e.published; i++) {
      if (e.isFinal(i)) continue;
      const k = conns.origPort[i]!;
      held.set(k, (held.get(k) ?? 0) + 1);
      if (!e.isMerged(i)) shown.set(k, (shown.get(k) ?? 0) + 1);
      if (conns.origPkts[i]! + conns.respPkts[i]! >= 4) assert.ok(!e.isMerged(i) || (conns.vantageMask[e.vantages!.mergedInto(i)]! & 3) === 3, 'the row it is hidden behind names both vantages');
    }
    for (const [k, n] of held) if (n === 2 && shown.get(k) === 1) sawOneOfTwo = true;
  }
  c.end();
  e.finish();
  assert.ok(sawOneOfTwo, 'an open connection at both interfaces was shown once');
  assert.equal(records.length, 3);
  assert.equal(new Set(records).size, 3);
});

test('firewall lines join the row, not the connection hidden behind it, whether they come before or after the packets', () => {
  const H = '10.234.73.1', S = '10.235.73.2', at = 'Dec 06 2026 12:20:50:';
  const lines = [
    `${at} %ASA-6-302013: Built outbound TCP connection 11 for outside:${S}/8080 (${S}/8080) to inside:${H}/42490 (${H}/42490)`,
    `${at} %ASA-6-302014: Teardown TCP connection 11 for outside:${S}/8080 to inside:${H}/42490 duration 0:00:00 bytes 12 TCP FINs`,
    `${at} %ASA-6-302013: Built outbound TCP connection 12 for outside:${S}/8080 (${S}/8080) to inside:${H}/42496 (${H}/42496)`,
    `${at} %ASA-6-302014: Teardown TCP connection 12 for outside:${S}/8080 to inside:${H}/42496 duration 0:00:00 bytes 12 TCP Reset-I`,
    `${at} %ASA-6-106015: Deny TCP (no connection) from ${H}/42496 to ${S}/8080 flags RST ACK  on interface inside`,
  ];
  for (const order of ['before', 'after'] as const) {
    const records: ReturnType<typeof flowRecord>[] = [];
    const e: LiveEngine = new LiveEngine({ wallClock: false, year: 2026, onFinal: (i) => records.push(flowRecord(liveDataset(e, e.fwLive?.snapshot()), i)) });
    const log = e.logSink('asa.log');
    if (order === 'before') lines.forEach(log);
    const c = e.capture('router', path, ['rin', 'rout']);
    const buf = readFileSync(path);
    for (let o = 0; o < buf.length; o += 700) {
      c.push(buf.subarray(o, o + 700));
      e.tick();
    }
    if (order === 'after') lines.forEach(log);
    c.end();
    e.finish();
    const by = new Map(records.map((r) => [r.orig_p, r]));
    assert.equal(records.length, 3, order);
    assert.equal(by.get(42490)!.firewall.length, 2, `${order}: the graceful row has its Built and Teardown`);
    const abort = by.get(42496)!;
    assert.equal(abort.firewall.length, 3, `${order}: the abort row has its Built, Teardown and deny`);
    assert.deepEqual([abort.teardown, abort.anomalies.includes('rst-denied'), abort.anomalies.includes('dropped-between-vantages')], ['abort', true, true], order);
  }
});
