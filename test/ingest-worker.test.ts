/**
 * Large captures are read by a worker thread (src/flows/ingest-worker.ts). Whatever the worker
 * reads must be what the main thread reads: the same rows, connections, counts and issues, on
 * every capture fixture, damaged ones included.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ingestInputs, type Ingest } from '../src/flows/ingest.js';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
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
