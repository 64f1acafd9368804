/**
 * decodeTcp against tshark on every classic-pcap format fixture, packet by packet, plus the
 * per-fixture behaviours (non-TCP is OTHER, cut headers are DAMAGED, fragments are flagged).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECODE, newTcpFacts } from '../src/decode/facts.js';
import { decodeTcp, linkSupported } from '../src/decode/packet.js';
import { crossCheck, tsharkIsTcp, tsharkRows } from './decode-crosscheck.js';
import { fixture, tool } from './helpers.js';
import { readPcap, writePcap } from './pcap-records.js';

const TSHARK = tool('tshark');
const skip = TSHARK.ok ? false : TSHARK.skip;

/** The format fixtures the decoders must cover, and the link type each must be in. */
const EXPECTED: Record<string, number> = {
  'eth-usec-le.pcap': 1, 'vlan.pcap': 1, 'qinq.pcap': 1, 'mpls.pcap': 1, 'sll.pcap': 113, 'sll2.pcap': 276,
  'raw.pcap': 101, 'ipv4-228.pcap': 228, 'ipv6-229.pcap': 229, 'null.pcap': 0, 'loop.pcap': 108,
  'ipv6.pcap': 1, 'ipv6-ext.pcap': 1, 'ipv4-options.pcap': 1, 'fragments.pcap': 1, 'snaplen.pcap': 1,
  'snaplen-short.pcap': 1, 'non-tcp.pcap': 1, 'nflog.pcap': 239,
};
// ipv6.pcap etc. may use another link type than Ethernet; the check below only insists on the
// link-type-specific ones.
const LINK_SPECIFIC = new Set(['sll.pcap', 'sll2.pcap', 'raw.pcap', 'ipv4-228.pcap', 'ipv6-229.pcap', 'null.pcap', 'loop.pcap', 'nflog.pcap']);

const dir = fixture('formats');
const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pcap')) : [];
const files = [...new Set([...Object.keys(EXPECTED), ...present])].sort();

for (const name of files) {
  test(`decodeTcp matches tshark on formats/${name}`, { skip }, () => {
    const path = join(dir, name);
    assert.ok(existsSync(path), `fixture ${path} is missing`);
    const pcap = readPcap(path);
    if (LINK_SPECIFIC.has(name)) assert.equal(pcap.linktype, EXPECTED[name], `${name}: link type`);
    const r = crossCheck(path);
    assert.deepEqual(r.mismatches, [], `${name}: decodeTcp disagrees with tshark`);
    assert.equal(r.statuses.length, pcap.records.length);
    if (name !== 'snaplen-short.pcap' && name !== 'non-tcp.pcap') assert.ok(r.tcp > 0, `${name}: no TCP packet decoded`);
    assert.ok(!r.statuses.includes(DECODE.UNSUPPORTED_LINK), `${name}: link type ${pcap.linktype} unsupported`);
  });
}

test('non-tcp.pcap: every packet tshark does not see as TCP is OTHER', { skip }, () => {
  const path = fixture('formats/non-tcp.pcap');
  const rows = tsharkRows(path);
  const r = crossCheck(path);
  let other = 0;
  rows.forEach((row, i) => {
    if (tsharkIsTcp(row.protocols)) return;
    other++;
    assert.equal(r.statuses[i], DECODE.OTHER, `frame ${i + 1} (${row.protocols.join(':')})`);
  });
  assert.ok(other > 0, 'non-tcp.pcap has no non-TCP packet');
});

test('snaplen-short.pcap: TCP headers cut by the snaplen are DAMAGED', () => {
  const pcap = readPcap(fixture('formats/snaplen-short.pcap'));
  const f = newTcpFacts();
  assert.ok(pcap.records.length > 0);
  for (const rec of pcap.records) {
    assert.equal(decodeTcp(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype, f), DECODE.DAMAGED, `frame ${rec.frame}`);
  }
});

test('snaplen.pcap: payload cut by the snaplen keeps the wire length and sets cut', () => {
  const pcap = readPcap(fixture('formats/snaplen.pcap'));
  const f = newTcpFacts();
  let cut = 0;
  for (const rec of pcap.records) {
    if (decodeTcp(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype, f) !== DECODE.TCP) continue;
    if (!f.cut) continue;
    cut++;
    assert.ok(rec.caplen < rec.origlen, `frame ${rec.frame}: cut but caplen == origlen`);
    assert.ok(f.payloadCaptured < f.payloadLen);
    assert.equal(f.payloadOff + f.payloadCaptured, rec.off + rec.caplen, `frame ${rec.frame}: captured payload runs to the record end`);
  }
  assert.ok(cut > 0, 'snaplen.pcap has no cut TCP payload');
});

test('fragments.pcap: fragments tshark sees are FRAGMENT (or OTHER if not TCP), and only those', { skip }, () => {
  const path = fixture('formats/fragments.pcap');
  const rows = tsharkRows(path);
  const r = crossCheck(path);
  let frags = 0;
  rows.forEach((row, i) => {
    const st = r.statuses[i];
    if (!row.fragment) {
      assert.notEqual(st, DECODE.FRAGMENT, `frame ${i + 1}: not a fragment for tshark`);
      return;
    }
    frags++;
    assert.ok(st === DECODE.FRAGMENT || st === DECODE.OTHER, `frame ${i + 1}: fragment decoded as ${st}`);
  });
  assert.ok(frags > 0, 'fragments.pcap has no fragment');
  assert.ok(r.statuses.includes(DECODE.FRAGMENT), 'no record decoded as FRAGMENT');
});

test('an unknown link type is UNSUPPORTED_LINK, the known ones are supported', () => {
  const f = newTcpFacts();
  const d = new Uint8Array(64);
  for (const lt of [105, 127, 147, 2, -1, 100000]) assert.equal(decodeTcp(d, 0, 64, 64, lt, f), DECODE.UNSUPPORTED_LINK, `link type ${lt}`);
  for (const lt of [0, 1, 101, 108, 113, 228, 229, 276]) assert.ok(linkSupported(lt), `link type ${lt}`);
});

/**
 * Every prefix of every record (caplen 0 .. full) must decode without reading past the
 * captured bytes: the same prefix padded with 0x00 and with 0xff beyond `caplen` gives the
 * same answer. Where a prefix still decodes as TCP, its header fields equal the full decode's.
 */
test('truncated records never read past caplen and never invent fields', () => {
  const names = ['eth-usec-le.pcap', 'vlan.pcap', 'qinq.pcap', 'mpls.pcap', 'sll.pcap', 'sll2.pcap', 'null.pcap', 'loop.pcap',
    'raw.pcap', 'ipv6-ext.pcap', 'ipv4-options.pcap'];
  const f = newTcpFacts();
  const g = newTcpFacts();
  const full = newTcpFacts();
  let checked = 0;
  for (const name of names) {
    const pcap = readPcap(fixture(`formats/${name}`));
    for (const rec of pcap.records.slice(0, 4)) {
      const st = decodeTcp(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype, full);
      const rec0 = new Uint8Array(rec.caplen + 64);
      const recF = new Uint8Array(rec.caplen + 64).fill(0xff);
      for (let cap = 0; cap <= rec.caplen; cap++) {
        rec0.fill(0);
        recF.fill(0xff);
        rec0.set(pcap.data.subarray(rec.off, rec.off + cap), 0);
        recF.set(pcap.data.subarray(rec.off, rec.off + cap), 0);
        const a = decodeTcp(rec0, 0, cap, rec.origlen, pcap.linktype, f);
        const b = decodeTcp(recF, 0, cap, rec.origlen, pcap.linktype, g);
        assert.equal(a, b, `${name} frame ${rec.frame} caplen ${cap}: result depends on bytes past caplen`);
        checked++;
        if (a !== DECODE.TCP) continue;
        assert.equal(st, DECODE.TCP, `${name} frame ${rec.frame} caplen ${cap}: TCP from a prefix of a non-TCP record`);
        assert.deepEqual({ ...f }, { ...g });
        for (const k of ['sport', 'dport', 'seq', 'ack', 'flags', 'win', 'payloadLen', 'payloadOff', 'srcOff', 'v4src'] as const) {
          assert.equal(f[k], full[k] - (k === 'payloadOff' || k === 'srcOff' ? rec.off : 0), `${name} frame ${rec.frame} caplen ${cap}: ${k}`);
        }
        assert.equal(f.payloadCaptured, Math.min(f.payloadLen, cap - f.payloadOff));
        assert.equal(f.cut, f.payloadCaptured < f.payloadLen);
      }
    }
  }
  assert.ok(checked > 1000);
});

/**
 * Link-layer variants the fixtures cannot hold, made from real records and checked against
 * tshark: LINKTYPE_NULL in big-endian order and with each OS's AF_INET6, and SLL with a VLAN tag.
 */
test('NULL in both byte orders, every AF_INET6 value, and SLL+VLAN agree with tshark', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rsttui-decode-'));
  try {
    const raw = readPcap(fixture('formats/raw.pcap'));
    const pkts = raw.records.map((r) => raw.data.subarray(r.off, r.off + r.caplen));
    const be = (af: number): Uint8Array => Uint8Array.of(0, 0, 0, af);
    const le = (af: number): Uint8Array => Uint8Array.of(af, 0, 0, 0);
    const cat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
      const o = new Uint8Array(a.length + b.length);
      o.set(a);
      o.set(b, a.length);
      return o;
    };
    const variants: [string, number, Uint8Array[]][] = [];
    // Wireshark knows the BSD values 24/28/30 only; Linux's 10 is checked against 24 below.
    for (const af6 of [24, 28, 30]) {
      const fam = (p: Uint8Array): number => (p[0]! >> 4 === 6 ? af6 : 2);
      variants.push([`null-be-${af6}`, 0, pkts.map((p) => cat(be(fam(p)), p))]);
      variants.push([`null-le-${af6}`, 0, pkts.map((p) => cat(le(fam(p)), p))]);
    }
    variants.push(['loop', 108, pkts.map((p) => cat(be(p[0]! >> 4 === 6 ? 24 : 2), p))]);
    // SLL v1 header (outgoing, ARPHRD_ETHER, 6-byte address), protocol 0x8100, then TCI 42 and the real ethertype.
    const sllVlan = (p: Uint8Array): Uint8Array =>
      cat(Uint8Array.of(0, 4, 0, 1, 0, 6, 2, 0x98, 0, 0, 0, 1, 0, 0, 0x81, 0x00, 0x00, 42, ...(p[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00])), p);
    variants.push(['sll-vlan', 113, pkts.map(sllVlan)]);
    // Ethernet padding after the IP datagram must not count as payload, and an IPv4 total
    // length of 0 (segmentation offload seen on the sender) means "the captured length".
    const eth = readPcap(fixture('formats/eth-usec-le.pcap'));
    const frames = eth.records.map((r) => eth.data.subarray(r.off, r.off + r.caplen));
    variants.push(['eth-padded', 1, frames.map((p) => cat(p, new Uint8Array(10)))]);
    variants.push(['eth-tso', 1, frames.map((p) => {
      const q = Uint8Array.from(p);
      q[16] = 0;
      q[17] = 0;
      return q;
    })]);
    for (const [name, lt, list] of variants) {
      const path = join(tmp, `${name}.pcap`);
      writePcap(path, lt, list);
      const r = crossCheck(path);
      assert.deepEqual(r.mismatches, [], name);
      assert.ok(r.tcp > 0, `${name}: nothing decoded as TCP`);
    }
    // Linux's AF_INET6 (10), in either order, decodes as the BSD value does.
    const f = newTcpFacts();
    const g = newTcpFacts();
    let v6 = 0;
    for (const p of pkts.filter((x) => x[0]! >> 4 === 6)) {
      for (const hdr of [be(10), le(10)]) {
        const a = cat(hdr, p);
        const b = cat(be(24), p);
        assert.equal(decodeTcp(a, 0, a.length, a.length, 0, f), decodeTcp(b, 0, b.length, b.length, 0, g));
        assert.deepEqual(f, g);
        v6 += f.ipVersion === 6 ? 1 : 0;
      }
    }
    assert.ok(v6 > 0, 'raw.pcap has no IPv6 TCP packet');
    // LINKTYPE_LOOP is network order only: a little-endian family is not AF_INET there.
    const leLoop = cat(le(2), pkts[0]!);
    assert.equal(decodeTcp(leLoop, 0, leLoop.length, leLoop.length, 108, f), DECODE.OTHER);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
