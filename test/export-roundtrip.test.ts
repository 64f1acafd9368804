/**
 * pcap / pcapng exports, read back two ways: with rsttui's own loader (the same connections and
 * verdicts) and with tshark (the same frames, byte for byte, with the same lengths and times as
 * tshark shows for the input packets of those connections).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture, tool } from './helpers.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { datasetTarget } from '../src/flows/filter-target.js';
import { compileFilter } from '../src/filter/index.js';
import { flowRecord } from '../src/export/records.js';
import { exportFlows, ExportError } from '../src/export/export.js';

const tshark = tool('tshark');
const skip = tshark.ok ? false : tshark.skip;

// distinct client ports per file, so a port list picks a connection's packets out independently of rsttui
const TCP = ['abort-client', 'abort-server', 'close-unread', 'data-after-rst', 'fin-then-rst', 'fin-then-rst-late', 'clean-close-client', 'rejected', 'tls12-close-notify'].map((n) => fixture(`tcp/${n}.pcap`));

function select(ds: Dataset, expr: string): number[] {
  const f = compileFilter(expr, datasetTarget(ds));
  assert.ok(f.ok, `filter ${expr}`);
  const out: number[] = [];
  for (let i = 0; i < ds.conns.count; i++) if (f.test(i)) out.push(i);
  return out;
}

/** Everything a connection is, but its id (renumbered) and its vantage (the file name). */
function flowKey(ds: Dataset, i: number): string {
  const { id: _id, vantages: _v, ...rest } = flowRecord(ds, i) as unknown as Record<string, unknown>;
  const v = ds.verdict(i);
  return JSON.stringify({ ...rest, verdict: { teardown: v.teardown, closedBy: v.closedBy, anomalies: v.anomalies, evidence: v.evidence, tls: v.tls } });
}

interface Frame { time: string; len: string; caplen: string; encap: string; port: string; reset: boolean; stream: string; iface: string; ifname: string; comment: string; hex: string }

/** tshark's view of a capture: fields per frame plus the raw frame bytes (from -T json -x). */
function tsharkFrames(path: string, filter?: string): Frame[] {
  const f = filter === undefined ? [] : ['-Y', filter];
  const fields = spawnSync('tshark', ['-n', '-r', path, ...f, '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.encap_type', '-e', 'tcp.srcport',
    '-e', 'tcp.flags.reset', '-e', 'tcp.stream', '-e', 'frame.interface_id', '-e', 'frame.interface_name', '-e', 'frame.comment'], { encoding: 'utf8' });
  assert.equal(fields.status, 0, fields.stderr);
  const raw = spawnSync('tshark', ['-n', '-r', path, ...f, '-T', 'json', '-x', '-j', 'frame'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(raw.status, 0, raw.stderr);
  const hex = (JSON.parse(raw.stdout) as { _source: { layers: { frame_raw: [string] } } }[]).map((p) => p._source.layers.frame_raw[0]);
  const rows = fields.stdout.split('\n').filter((l) => l !== '').map((l, k): Frame => {
    const c = l.split('|');
    return { time: c[0]!, len: c[1]!, caplen: c[2]!, encap: c[3]!, port: c[4]!, reset: c[5] === '1' || c[5] === 'True', stream: c[6]!, iface: c[7]!, ifname: c[8]!, comment: c[9]!, hex: hex[k]! };
  });
  assert.equal(rows.length, hex.length);
  return rows;
}

const same = (f: Frame): string => `${f.time} ${f.len} ${f.caplen} ${f.encap} ${f.hex}`;

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsttui-export-rt-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const format of ['pcap', 'pcapng'] as const) {
  test(`${format}: tcp.flags.reset over several files reads back as the same connections, verdicts and bytes`, { skip }, async () => {
    const ds = await loadDataset(TCP);
    const sel = select(ds, 'tcp.flags.reset');
    // the filter must leave some connections out for the check to mean anything
    assert.ok(sel.length >= 5 && sel.length < ds.conns.count, `selected ${sel.length} of ${ds.conns.count}`);
    const out = join(dir, `reset.${format}`);
    const r = await exportFlows(ds, sel, out, {});
    assert.equal(r.format, format);
    assert.equal(r.connections, sel.length);
    const wantPackets = sel.reduce((s, i) => s + ds.conns.origPkts[i]! + ds.conns.respPkts[i]!, 0);
    assert.equal(r.packets, wantPackets);

    // rsttui reads back exactly the selected connections, with the same records and verdicts
    const back = await loadDataset([out]);
    assert.equal(back.issues.filter((i) => i.severity === 'error').length, 0, JSON.stringify(back.issues));
    const a = sel.map((i) => flowKey(ds, i)).sort();
    const b = Array.from({ length: back.conns.count }, (_, i) => flowKey(back, i)).sort();
    assert.deepEqual(b, a);

    // tshark: the exported frames are the input frames of those connections' ports, in input order, byte for byte
    const ports = sel.map((i) => ds.conns.origPort[i]!);
    const expected = TCP.flatMap((p) => tsharkFrames(p, `tcp.port in {${ports.join(',')}}`)).map(same);
    const got = tsharkFrames(out);
    assert.equal(got.length, wantPackets);
    assert.deepEqual(got.map(same), expected);
  });
}

test('pcapng: every packet names its connection, anomaly packets name the anomaly', { skip }, async () => {
  const files = [fixture('tcp/fin-then-rst-late.pcap'), fixture('tcp/data-after-rst.pcap'), fixture('tcp/clean-close-client.pcap')];
  const ds = await loadDataset(files);
  const all = Array.from({ length: ds.conns.count }, (_, i) => i);
  const out = join(dir, 'comments.pcapng');
  await exportFlows(ds, all, out, {});
  const frames = tsharkFrames(out);
  // one flow id per tshark stream and one stream per flow id
  const idOfStream = new Map<string, string>();
  const streamOfId = new Map<string, string>();
  for (const f of frames) {
    const m = /^rsttui flow (\d+)(?:: (.+))?$/.exec(f.comment);
    assert.ok(m, `comment '${f.comment}'`);
    assert.equal(idOfStream.get(f.stream) ?? m[1], m[1]);
    assert.equal(streamOfId.get(m[1]!) ?? f.stream, f.stream);
    idOfStream.set(f.stream, m[1]!);
    streamOfId.set(m[1]!, f.stream);
  }
  assert.equal(idOfStream.size, ds.conns.count);
  // the flow ids are rsttui's: the port tshark shows is the one flowRecord gives that id
  for (const f of frames) {
    const id = Number(/^rsttui flow (\d+)/.exec(f.comment)![1]);
    const rec = flowRecord(ds, id - 1);
    assert.ok(f.port === String(rec.orig_p) || f.port === String(rec.resp_p));
  }
  // late-rst and data-after-rst are shown on packets; a late RST is an RST packet
  const late = frames.filter((f) => f.comment.includes('late-rst'));
  assert.ok(late.length > 0);
  for (const f of late) assert.ok(f.reset, 'late-rst marked on a packet without RST');
  assert.ok(frames.some((f) => f.comment.includes('data-after-rst')));
  // the clean close has no anomaly: none of its packets carry one
  const clean = flowRecord(ds, ds.packets.conn(ds.files[2]!.first));
  assert.equal(clean.anomalies.length, 0);
  for (const f of frames) if (f.port === String(clean.orig_p)) assert.ok(!f.comment.includes(':'), f.comment);
  // one interface per input, named after it
  assert.deepEqual([...new Set(frames.map((f) => f.ifname))].sort(), ['clean-close-client.pcap', 'data-after-rst.pcap', 'fin-then-rst-late.pcap']);
});

test('pcap from a whole nanosecond capture is the input byte for byte (ns magic, times, records)', async () => {
  for (const name of ['eth-nsec.pcap', 'eth-usec-le.pcap']) {
    const ds = await loadDataset([fixture(`formats/${name}`)]);
    const out = join(dir, `whole-${name}`);
    const r = await exportFlows(ds, [0], out, {});
    assert.equal(r.packets, 11); // README: 11 frames, all of the one TCP exchange
    assert.ok(readFileSync(out).equals(readFileSync(fixture(`formats/${name}`))), `${name} not reproduced`);
  }
});

test('big-endian and gzip inputs: the same records in little-endian pcap (the fixtures are swaps / gzips of eth-usec-le.pcap)', async () => {
  for (const name of ['eth-usec-be.pcap', 'eth.pcap.gz']) {
    const ds = await loadDataset([fixture(`formats/${name}`)]);
    const out = join(dir, `le-${name}.pcap`);
    await exportFlows(ds, [0], out, {});
    assert.ok(readFileSync(out).equals(readFileSync(fixture('formats/eth-usec-le.pcap'))), name);
  }
});

test('pcapng from nanosecond inputs keeps the nanoseconds; pcapng.gz input works', { skip }, async () => {
  for (const name of ['eth-nsec.pcap', 'eth.pcapng.gz', 'tsresol.pcapng']) {
    const ds = await loadDataset([fixture(`formats/${name}`)]);
    const out = join(dir, `ns-${name}.pcapng`);
    // every connection: a file whose interfaces saw the same traffic has one connection per interface
    await exportFlows(ds, Array.from({ length: ds.conns.count }, (_, i) => i), out, {});
    const want = tsharkFrames(fixture(`formats/${name}`)).map(same);
    assert.ok(want.some((l) => !/\.\d{6}000 /.test(l)), `${name} should have sub-microsecond times`);
    assert.deepEqual(tsharkFrames(out).map(same), want, name);
  }
});

test('multi-link-type inputs: pcap refused naming pcapng, nothing left; pcapng has one interface per (vantage, link type)', { skip }, async () => {
  const files = ['sll.pcap', 'eth.pcap.gz', 'multi-if.pcapng'].map((n) => fixture(`formats/${n}`));
  const ds = await loadDataset(files);
  const all = Array.from({ length: ds.conns.count }, (_, i) => i);
  const sub = mkdtempSync(join(dir, 'multi-'));
  await assert.rejects(exportFlows(ds, all, join(sub, 'm.pcap'), {}), (e: unknown) => e instanceof ExportError && /pcapng/.test(e.message) && e.status === 2);
  // a single input with two link types is refused too
  const mi = await loadDataset([fixture('formats/multi-if.pcapng')]);
  await assert.rejects(exportFlows(mi, Array.from({ length: mi.conns.count }, (_, i) => i), join(sub, 'mi.pcap'), {}), /different link types.*pcapng/);
  assert.deepEqual(spawnSync('ls', ['-A', sub], { encoding: 'utf8' }).stdout, '');

  const out = join(sub, 'm.pcapng');
  const r = await exportFlows(ds, all, out, {});
  const frames = tsharkFrames(out);
  assert.equal(frames.length, r.packets);
  // the same frames, in input order, as tshark shows the inputs
  assert.deepEqual(frames.map(same), files.flatMap((p) => tsharkFrames(p)).map(same));
  // interfaces: sll.pcap/SLL, eth.pcap.gz/Ethernet, multi-if.pcapng/Ethernet and /SLL (tshark encap 1 = Ethernet, 25 = SLL)
  const ifs = new Set(frames.map((f) => `${f.iface}:${f.ifname}:${f.encap}`));
  assert.deepEqual([...ifs].sort(), ['0:sll.pcap:25', '1:eth.pcap.gz:1', '2:multi-if.pcapng:1', '3:multi-if.pcapng:25']);
});

test('an empty selection writes a valid empty capture', { skip }, async () => {
  const ds = await loadDataset([fixture('tcp/rejected.pcap')]);
  for (const ext of ['pcap', 'pcapng']) {
    const out = join(dir, `empty.${ext}`);
    const r = await exportFlows(ds, [], out, {});
    assert.equal(r.packets, 0);
    const t = spawnSync('tshark', ['-r', out], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    assert.equal(t.stdout, '');
  }
});
