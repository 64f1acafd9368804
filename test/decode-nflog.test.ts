/**
 * NFLOG captures (LINKTYPE_NFLOG 239) on the real fixtures made by fixtures/gen/make-nflog.sh
 * (tcpdump and dumpcap on nflog:5 in an nftables router; see fixtures/formats/README.md):
 * packets, the log group and prefix of each, both TLV byte orders, damaged TLVs reported by
 * file, offset and record with the rest read, the views, and tshark's reading of the same files.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ipToString, ipv6ToString } from '../src/decode/bytes.js';
import { decodeDetail } from '../src/decode/detail.js';
import { DECODE, newTcpFacts } from '../src/decode/facts.js';
import { LINK, LINK_DAMAGED, LINK_OTHER } from '../src/decode/link.js';
import { NFLOG_NOTE, NFULA_PAYLOAD, linkNflog, nflogLittleEndian, nflogNote, nflogProblem } from '../src/decode/nflog.js';
import { decodeTcp, linkSupported } from '../src/decode/packet.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, nflogOfRow, packetRecord } from '../src/export/records.js';
import { LINKTYPE, flagLetters, formatIssue } from '../src/model.js';
import { buildTimeline } from '../src/ui/view/ladder.js';
import { BIN, fixture, tool } from './helpers.js';
import { readPcap, writePcap, type PcapFile } from './pcap-records.js';

const PCAP = fixture('formats/nflog.pcap');
const PCAPNG = fixture('formats/nflog.pcapng');
const TSHARK = tool('tshark');

/** What the generator made (make-nflog.sh, nflog-tcp.py): the two connections and their packets in order. */
const V6 = { client: 'fd97::1', server: 'fd97:1::2', port: 8005 };
const V4 = { client: '10.97.0.1', server: '10.97.1.2', port: 8006 };
// clean close, client FIN first; then the seed's pattern: server FIN, client FIN 2.5 s later, then
// the server's late RST and the client's RST, which the router logged as INVALID and dropped
const V6_FLAGS = ['S', 'SA', 'A', 'PA', 'A', 'PA', 'A', 'FA', 'A', 'FA', 'A'];
const V4_FLAGS = ['S', 'SA', 'A', 'PA', 'A', 'PA', 'A', 'FA', 'A', 'FA', 'R', 'RA'];
const FROM_CLIENT6 = [true, false, true, true, false, false, true, true, false, false, true];
const FROM_CLIENT4 = [true, false, true, true, false, false, true, false, true, true, false, true];
const ACCEPT = 'FWD ACCEPT: ';
const DROP = 'INVALID DROP: ';

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-nflog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A record's bytes, copied. */
const recordOf = (p: PcapFile, frame: number): Uint8Array => {
  const r = p.records[frame - 1]!;
  return p.data.slice(r.off, r.off + r.caplen);
};

/** Offsets and types of a little-endian record's TLVs. */
function tlvs(rec: Uint8Array): { at: number; len: number; type: number }[] {
  const out: { at: number; len: number; type: number }[] = [];
  for (let p = 4; p + 4 <= rec.length; ) {
    const len = rec[p]! | (rec[p + 1]! << 8);
    out.push({ at: p, len, type: (rec[p + 2]! | (rec[p + 3]! << 8)) & 0x7fff });
    if (len < 4) break;
    p += (len + 3) & ~3;
  }
  return out;
}

test('nflog.pcap is LINKTYPE_NFLOG, a link type rsttui decodes, with TLVs in little-endian order', () => {
  const p = readPcap(PCAP);
  assert.equal(p.linktype, 239);
  assert.equal(LINKTYPE.NFLOG, 239);
  assert.ok(linkSupported(239));
  assert.equal(p.records.length, V6_FLAGS.length + V4_FLAGS.length);
  for (const r of p.records) assert.ok(nflogLittleEndian(p.data, r.off + 4, r.off + r.caplen), `frame ${r.frame}`);
});

test('every record decodes to the TCP packet the generator sent: addresses, ports, flags; group 5 and the rule prefix', () => {
  const p = readPcap(PCAP);
  const f = newTcpFacts();
  p.records.forEach((r, i) => {
    assert.equal(decodeTcp(p.data, r.off, r.caplen, r.origlen, p.linktype, f), DECODE.TCP, `frame ${r.frame}`);
    const v6 = i < V6_FLAGS.length;
    const k = v6 ? i : i - V6_FLAGS.length;
    const c = v6 ? V6 : V4;
    const fromClient = (v6 ? FROM_CLIENT6 : FROM_CLIENT4)[k]!;
    assert.equal(f.ipVersion, v6 ? 6 : 4, `frame ${r.frame}`);
    const addr = v6 ? ipv6ToString : ipToString;
    assert.equal(addr(p.data, f.srcOff), fromClient ? c.client : c.server, `frame ${r.frame} src`);
    assert.equal(addr(p.data, f.dstOff), fromClient ? c.server : c.client, `frame ${r.frame} dst`);
    assert.equal(fromClient ? f.dport : f.sport, c.port, `frame ${r.frame} server port`);
    assert.equal(flagLetters(f.flags), (v6 ? V6_FLAGS : V4_FLAGS)[k], `frame ${r.frame} flags`);
    nflogNote(p.data, r.off, r.off + r.caplen);
    assert.equal(NFLOG_NOTE.group, 5);
    const prefix = Buffer.from(p.data.subarray(NFLOG_NOTE.prefixOff, NFLOG_NOTE.prefixOff + NFLOG_NOTE.prefixLen)).toString();
    assert.equal(prefix, !v6 && k >= 10 ? DROP : ACCEPT, `frame ${r.frame} prefix`);
  });
});

test('TLV headers in big-endian order (a capture from a big-endian host) decode the same', () => {
  const p = readPcap(PCAP);
  const f = newTcpFacts(), g = newTcpFacts();
  for (const r of p.records) {
    const le = recordOf(p, r.frame);
    const be = le.slice();
    for (const t of tlvs(le)) {
      be[t.at] = le[t.at + 1]!;
      be[t.at + 1] = le[t.at]!;
      be[t.at + 2] = le[t.at + 3]!;
      be[t.at + 3] = le[t.at + 2]!;
    }
    assert.notDeepEqual(be, le);
    assert.equal(nflogLittleEndian(be, 4, be.length), false, `frame ${r.frame}`);
    assert.equal(decodeTcp(le, 0, le.length, le.length, 239, f), DECODE.TCP);
    assert.equal(decodeTcp(be, 0, be.length, be.length, 239, g), DECODE.TCP, `frame ${r.frame}`);
    assert.deepEqual(g, f, `frame ${r.frame}`);
    nflogNote(le, 0, le.length);
    const a = { ...NFLOG_NOTE };
    nflogNote(be, 0, be.length);
    assert.deepEqual({ ...NFLOG_NOTE }, a);
  }
});

test('a record without a payload TLV is not IP; a family other than IPv4/IPv6 falls back on the packet header protocol', () => {
  const rec = recordOf(readPcap(PCAP), 12); // IPv4 SYN
  const pay = tlvs(rec).find((t) => t.type === NFULA_PAYLOAD)!;
  const noPayload = rec.slice(0, pay.at);
  assert.equal(linkNflog(noPayload, 0, noPayload.length), LINK_OTHER);
  const bridge = rec.slice();
  bridge[0] = 7; // NFPROTO_BRIDGE: the IP version comes from NFULA_PACKET_HDR's hardware protocol 0x0800
  LINK.ipVersion = 0;
  assert.equal(linkNflog(bridge, 0, bridge.length), pay.at + 4);
  assert.equal(LINK.ipVersion, 4);
  const hdr = tlvs(rec).find((t) => t.type === 1)!;
  bridge[hdr.at + 4] = 0x08;
  bridge[hdr.at + 5] = 0x06; // ARP
  assert.equal(linkNflog(bridge, 0, bridge.length), LINK_OTHER);
});

test('damaged TLVs: each says which TLV, where, and what is wrong', () => {
  const rec = recordOf(readPcap(PCAP), 22);
  const prefix = tlvs(rec).find((t) => t.type === 10)!;
  const cut = rec.slice(0, prefix.at + 6);
  assert.equal(linkNflog(cut, 0, cut.length), LINK_DAMAGED);
  assert.match(nflogProblem(cut, 0, cut.length)!.message, new RegExp(`NFULA_PREFIX \\(10\\) at byte ${prefix.at} of the record declares ${prefix.len} bytes, only 6 captured`));
  const short = rec.slice();
  short[prefix.at] = 2;
  short[prefix.at + 1] = 0;
  assert.equal(linkNflog(short, 0, short.length), LINK_DAMAGED);
  assert.match(nflogProblem(short, 0, short.length)!.message, /declares length 2, less than its own 4-byte header/);
  const header = rec.slice(0, prefix.at + 2);
  assert.equal(linkNflog(header, 0, header.length), LINK_DAMAGED);
  assert.match(nflogProblem(header, 0, header.length)!.message, new RegExp(`TLV header at byte ${prefix.at} of the record cut short: 2 of 4`));
  assert.equal(nflogProblem(rec, 0, rec.length), undefined);
  assert.equal(linkNflog(rec.slice(0, 3), 0, 3), LINK_DAMAGED);
});

test('a capture with truncated TLVs: a warning naming file, offset and record for each, the other packets read', async (t) => {
  const p = readPcap(PCAP);
  const good = [recordOf(p, 12), recordOf(p, 22)];
  const prefix = tlvs(good[1]!).find((x) => x.type === 10)!;
  const cut = good[1]!.slice(0, prefix.at + 6);
  const bad = good[1]!.slice();
  bad[prefix.at] = 2;
  bad[prefix.at + 1] = 0;
  const path = join(tmp(t), 'nflog-damaged.pcap');
  writePcap(path, 239, [good[0]!, cut, bad, good[1]!]);
  const ds = await loadDataset([path]);
  assert.equal(ds.files[0]!.stats.tcp, 2);
  assert.equal(ds.files[0]!.stats.damaged, 2);
  const nf = ds.issues.filter((i) => i.code === 'nflog-damaged');
  assert.equal(nf.length, 2);
  // record offsets: 24-byte file header, 16-byte record headers
  const off2 = 24 + 16 + good[0]!.length;
  const off3 = off2 + 16 + cut.length;
  assert.deepEqual(nf.map((i) => [i.file, i.offset, i.frame]), [[path, off2, 2], [path, off3, 3]]);
  assert.match(formatIssue(nf[0]!), new RegExp(`nflog-damaged.pcap: offset ${off2} \\(record 2\\): NFLOG TLV NFULA_PREFIX \\(10\\) at byte ${prefix.at}`));
  assert.match(nf[1]!.message, /declares length 2/);
  assert.deepEqual([0, 1].map((r) => nflogOfRow(ds, r)?.prefix), [ACCEPT, DROP]);
  // the CLI reads it through, says where, and prints the two good packets
  const r = spawnSync('node', [BIN, 'packets', '--format', 'ndjson', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`offset ${off2} \\(record 2\\)`));
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

async function checkDataset(ds: Dataset, file: string): Promise<void> {
  assert.equal(ds.conns.count, 2);
  const recs = Array.from({ length: ds.packets.count }, (_, row) => packetRecord(ds, row, 0));
  assert.deepEqual(recs.map((r) => r.nflog_group), recs.map(() => 5), file);
  assert.deepEqual(recs.filter((r) => r.nflog_prefix === DROP).map((r) => r.flags), ['R', 'RA'], file);
  assert.equal(recs.filter((r) => r.nflog_prefix === ACCEPT).length, V6_FLAGS.length + V4_FLAGS.length - 2);
  const seed = Array.from({ length: 2 }, (_, i) => flowRecord(ds, i)).find((f) => f.resp_p === V4.port)!;
  assert.equal(seed.orig_h, V4.client);
  assert.ok(seed.anomalies.includes('late-rst'), `${file}: ${seed.anomalies.join(',')}`);
  assert.deepEqual(ds.issues.filter((i) => i.severity === 'error'), []);
}

test('loaded as a vantage (pcap, pcapng, and through the reader worker): packets carry their group and prefix', async () => {
  await checkDataset(await loadDataset([PCAP]), 'nflog.pcap');
  await checkDataset(await loadDataset([PCAPNG]), 'nflog.pcapng');
  await checkDataset(await loadDataset([PCAP], { worker: 'always' }), 'nflog.pcap (worker)');
});

test('views: the ladder and the detail tree show the prefix, control characters stripped', async () => {
  const ds = await loadDataset([PCAP]);
  const conn = Array.from({ length: 2 }, (_, i) => i).find((i) => ds.conns.respPort[i] === V4.port)!;
  const notes = buildTimeline(ds, conn).rows.filter((r) => r.kind === 'packet').map((r) => r.note);
  assert.equal(notes.length, V4_FLAGS.length);
  assert.ok(notes.slice(0, 10).every((n) => n.startsWith(`NFLOG group 5 "${ACCEPT}"`)), notes[0]);
  assert.ok(notes.slice(10).every((n) => n.startsWith(`NFLOG group 5 "${DROP}"`)), notes[10]);

  const rec = recordOf(readPcap(PCAP), 22);
  const layers = decodeDetail(rec, 0, rec.length, rec.length, 239);
  const nflog = layers.find((l) => l.name === 'NFLOG')!;
  const fieldOf = (name: string): string | undefined => nflog.fields.find((f) => f.name === name)?.value;
  assert.equal(fieldOf('NFLOG prefix'), `"${DROP}"`);
  assert.equal(fieldOf('Group'), '5');
  assert.equal(fieldOf('Family'), 'IPv4 (2)');
  assert.match(fieldOf('NFULA_PACKET_HDR (1)')!, /hook forward/);
  assert.equal(nflog.summary, `Group 5, prefix "${DROP}"`);
  assert.ok(layers.some((l) => l.name.startsWith('Transmission Control Protocol')));
  // a prefix holding ESC: shown without it
  const prefix = tlvs(rec).find((x) => x.type === 10)!;
  const esc = rec.slice();
  esc[prefix.at + 4] = 0x1b;
  const shown = decodeDetail(esc, 0, esc.length, esc.length, 239).find((l) => l.name === 'NFLOG')!;
  assert.ok(![shown.summary, ...shown.fields.map((f) => f.value)].some((v) => v.includes('\x1b')));
  assert.match(shown.summary, /prefix "\uFFFDNVALID DROP: "/);
});

for (const file of [PCAP, PCAPNG]) {
  test(`tshark reads ${file.split('/').pop()} the same: addresses, ports, flags, group and prefix`, { skip: TSHARK.ok ? false : TSHARK.skip }, () => {
    const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport',
      '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tcp.flags', '-e', 'nflog.res_id', '-e', 'nflog.prefix'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = r.stdout.split('\n').filter(Boolean).map((l) => {
      const c = l.split('|');
      const bits = parseInt(c[7]!, 16);
      return { frame: Number(c[0]), src: c[1] || c[2], sport: Number(c[3]), dst: c[4] || c[5], dport: Number(c[6]), flags: flagLetters(bits), group: Number(c[8]), prefix: c[9] };
    });
    const ours = spawnSync('node', [BIN, 'packets', '--format', 'ndjson', file], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => {
      const o = JSON.parse(l) as Record<string, string | number>;
      return { frame: o.frame, src: o.src, sport: o.sport, dst: o.dst, dport: o.dport, flags: o.flags, group: o.nflog_group, prefix: o.nflog_prefix };
    });
    assert.equal(theirs.length, V6_FLAGS.length + V4_FLAGS.length);
    assert.deepEqual(ours.sort((a, b) => Number(a.frame) - Number(b.frame)), theirs);
  });
}
