/** Live firewall logs: lines as they come, joined to the live connections as the batch joins a log file to a capture. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { runLiveFlows } from '../src/cli/live-flows.js';
import { fixture } from './helpers.js';

/** A file's bytes in slices, a turn of the event loop after each; starts once `after` has settled. */
async function* slices(buf: Uint8Array, size: number, after?: Promise<void>): AsyncGenerator<Uint8Array> {
  await after;
  for (let o = 0; o < buf.length; o += size) {
    yield buf.subarray(o, o + size);
    await new Promise((r) => setImmediate(r));
  }
}

const tuple = (r: FlowRecord) => `${r.orig_h}:${r.orig_p}>${r.resp_h}:${r.resp_p}`;
/** A captured row by its tuple and start; a firewall-only row by its tuple (its start is on the log's clock, whose offset is estimated differently live) */
const key = (r: FlowRecord) => `${tuple(r)}@${r.vantages.length ? r.ts : 'log'}`;
/** ids differ (live numbers firewall-only rows as their lines come): rows named by key, `related` too */
const comparable = (r: FlowRecord, keyOf: Map<number, string>) =>
  ({ ...r, id: 0, related: r.related.map((id) => keyOf.get(id) ?? `no row ${id}`), ...(r.vantages.length ? {} : { ts: 0, duration: 0 }) });

test('a capture and an ASA log fed live give the batch rows: firewall events, denied late RSTs, log classes, firewall-only rows', async () => {
  const cap = fixture('demo/inside.pcap'), log = fixture('demo/asa.log');
  const lines: string[] = [];
  let logDone!: () => void;
  const logRead = new Promise<void>((r) => { logDone = r; });
  async function* logChunks(): AsyncGenerator<Uint8Array> {
    yield* slices(readFileSync(log), 5000);
    logDone();
  }
  // (the log first: an event waits for its connection's packets; a record is final only once the capture has passed it)
  const res = await runLiveFlows({ wallClock: false, tickMs: 2, idleTimeout: 3600 },
    { capture: { chunks: slices(readFileSync(cap), 3000, logRead), name: 'inside.pcap', path: cap }, logs: [{ name: 'asa.log', chunks: logChunks() }] },
    { write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WritableStream, { write: () => true } as unknown as NodeJS.WritableStream);
  assert.equal(res.reason, 'end');
  const ds = await loadDataset([cap, log]);
  const batchRecords = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  const batchKeys = new Map(batchRecords.map((r) => [r.id, key(r)]));
  const batch = new Map(batchRecords.map((r) => [key(r), comparable(r, batchKeys)]));
  const live = lines.map((l) => JSON.parse(l) as FlowRecord);
  const liveKeys = new Map(live.map((r) => [r.id, key(r)]));
  assert.equal(live.length, batch.size);
  // A firewall connection that spans rows Zeek's lifetimes split (the long poll: Built, then 5 idle
  // minutes, Idle Timeout, the late packets in a row of their own) is joined to one of those rows;
  // which one, batch and live decide differently (src/correlate/firewall.ts pass 2 takes the first
  // candidate at distance 0; live, the row its events arrive with). Their packet-side fields agree.
  const FW_SIDE = ['firewall', 'anomalies', 'teardown', 'fw_bytes', 'closed_by'] as const;
  const packetSide = (r: object | undefined) => r && Object.fromEntries(Object.entries(r).filter(([k]) => !(FW_SIDE as readonly string[]).includes(k)));
  let splitWithFw = 0;
  for (const r of live) {
    const b = batch.get(key(r));
    if (r.related.length && (r.firewall.length || b?.firewall.length)) {
      splitWithFw++;
      assert.deepEqual(packetSide(comparable(r, liveKeys)), packetSide(b), key(r));
    } else assert.deepEqual(comparable(r, liveKeys), b, key(r));
  }
  assert.ok(splitWithFw <= 2, `${splitWithFw} split rows with firewall events`);
  // (what makes the demo: the seed's denied late RSTs and the firewall-only rows are among them)
  assert.ok(live.filter((r) => r.anomalies.includes('rst-denied')).length >= 60);
  assert.ok(live.filter((r) => r.anomalies.includes('firewall-only')).length >= 10);
  // ids: every connection once, 1..n
  assert.deepEqual(live.map((r) => r.id).sort((a, b) => a - b), Array.from({ length: live.length }, (_, k) => k + 1));
});

test('pushed syslog lines (a receiver) join the connections; a line that is no firewall message does not stop them', async () => {
  const pcap = fixture('tcp/fin-then-rst-late.pcap');
  const ds = await loadDataset([pcap]);
  const r0 = flowRecord(ds, 0);
  // an ASA's view of that connection: built, torn down by FINs, then the late RST denied (times from the capture)
  const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const at = (t: number) => {
    const d = new Date(t * 1000);
    return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)}`;
  };
  const end = r0.ts + r0.duration;
  const syslog = [
    `<166>${at(r0.ts)} fw : %ASA-6-302013: Built inbound TCP connection 7 for outside:${r0.orig_h}/${r0.orig_p} (${r0.orig_h}/${r0.orig_p}) to inside:${r0.resp_h}/${r0.resp_p} (${r0.resp_h}/${r0.resp_p})`,
    'hello, not a firewall line',
    `<166>${at(end)} fw : %ASA-6-302014: Teardown TCP connection 7 for outside:${r0.orig_h}/${r0.orig_p} to inside:${r0.resp_h}/${r0.resp_p} duration 0:00:03 bytes 42 TCP FINs from inside`,
    `<167>${at(end)} fw : %ASA-7-106015: Deny TCP (no connection) from ${r0.resp_h}/${r0.resp_p} to ${r0.orig_h}/${r0.orig_p} flags RST  on interface inside`,
  ];
  let push!: (l: string) => void;
  let stopped = false;
  const out: string[] = [], err: string[] = [];
  const buf = readFileSync(pcap);
  async function* capture(): AsyncGenerator<Uint8Array> {
    while (!push) await new Promise((r) => setImmediate(r));
    for (const l of syslog) push(l);
    yield buf;
  }
  // (a receiver's lines never end: the run is stopped, and what is held written then)
  const res = await runLiveFlows({ wallClock: false, tickMs: 2, duration: 0.3 }, {
    capture: { chunks: capture(), name: 'fin-then-rst-late.pcap', path: pcap },
    feeds: [{ name: 'udp://127.0.0.1:5514', start: (onLine) => { push = onLine; return () => { stopped = true; }; } }],
  }, { write: (s: string) => { out.push(s); return true; } } as unknown as NodeJS.WritableStream, { write: (s: string) => { err.push(s); return true; } } as unknown as NodeJS.WritableStream);
  assert.equal(res.reason, 'duration');
  assert.equal(res.status, 0);
  assert.match(err.join(''), /^ {2}302013 +1$/m, 'the summary counts the messages read');
  assert.ok(stopped, 'the feed was stopped at the end');
  assert.equal(out.length, 1);
  const r = JSON.parse(out[0]!) as FlowRecord;
  assert.deepEqual(r.firewall.map((e) => e.msgid), [302013, 302014, 106015]);
  assert.ok(r.anomalies.includes('rst-denied'), r.anomalies.join());
  assert.equal(r.fw_bytes, 42);
});
