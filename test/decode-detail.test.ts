/**
 * decodeDetail on the real captures: the fields it shows must be the values tshark dissects
 * from the same frames, its byte ranges must tile the record, and cut records say `truncated`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { type Layer, decodeDetail } from '../src/decode/detail.js';
import { TRUNCATED } from '../src/decode/layer.js';
import { fixture, tool } from './helpers.js';
import { readPcap } from './pcap-records.js';

const TSHARK = tool('tshark');
const skip = TSHARK.ok ? false : TSHARK.skip;

const FILES = [
  'formats/eth-usec-le.pcap', 'formats/vlan.pcap', 'formats/qinq.pcap', 'formats/mpls.pcap', 'formats/sll.pcap',
  'formats/sll2.pcap', 'formats/raw.pcap', 'formats/null.pcap', 'formats/loop.pcap', 'formats/ipv6.pcap',
  'formats/ipv6-ext.pcap', 'formats/ipv4-options.pcap', 'formats/fragments.pcap', 'formats/snaplen.pcap',
  'formats/snaplen-short.pcap', 'formats/non-tcp.pcap', 'formats/nflog.pcap', 'tcp/tls12-close-notify.pcap', 'tcp/tls13-close-notify.pcap',
];

const hexNum = (v: string): string => String(parseInt(v, 16));
const recordType = (v: string): string => /\((\d+)\)/.exec(v)?.[1] ?? '';

/**
 * tshark field -> what decodeDetail shows for it: [layer name prefix, field name, our value ->
 * comparable, tshark value -> comparable (default as is)].
 */
const MAP: [string, string, string, (v: string) => string, ((v: string) => string)?][] = [
  ['vlan.id', '802.1Q', 'ID', (v) => v],
  ['ieee8021ad.id', '802.1ad', 'ID', (v) => v],
  ['mpls.label', 'MPLS', 'Label', (v) => v.split(',')[0]!],
  ['sll.pkttype', 'Linux cooked', 'Packet type', (v) => /\((\d+)\)$/.exec(v)?.[1] ?? v],
  ['ip.ttl', 'Internet Protocol Version 4', 'Time to live', (v) => v],
  ['ip.id', 'Internet Protocol Version 4', 'Identification', (v) => v.split(' ')[0]!],
  ['ip.hdr_len', 'Internet Protocol Version 4', 'Header length', (v) => v.split(' ')[0]!],
  ['ip.len', 'Internet Protocol Version 4', 'Total length', (v) => v],
  ['ipv6.hlim', 'Internet Protocol Version 6', 'Hop limit', (v) => v],
  ['ipv6.flow', 'Internet Protocol Version 6', 'Flow label', hexNum, hexNum],
  ['tcp.hdr_len', 'Transmission Control Protocol', 'Header length', (v) => v.split(' ')[0]!],
  ['tcp.urgent_pointer', 'Transmission Control Protocol', 'Urgent pointer', (v) => v],
  ['tcp.options.mss_val', 'Transmission Control Protocol', 'Option', (v) => /^Maximum segment size: (\d+)/.exec(v)?.[1] ?? ''],
  ['tcp.options.wscale.shift', 'Transmission Control Protocol', 'Option', (v) => /^Window scale: (\d+)/.exec(v)?.[1] ?? ''],
  ['tcp.options.timestamp.tsval', 'Transmission Control Protocol', 'Option', (v) => /TSval (\d+)/.exec(v)?.[1] ?? ''],
  ['tls.record.length', 'Transport Layer Security', 'Record', (v) => /length (\d+)/.exec(v)?.[1] ?? ''],
  // tshark names the type of a TLS 1.3 encrypted record opaque_type, not content_type: the
  // union of both is the record types in order of appearance.
  ['tls.record.content_type', 'Transport Layer Security', 'Record', recordType],
  ['tls.record.opaque_type', 'Transport Layer Security', 'Record', recordType],
];

/** All values of `field` (name prefix match) in layers whose name starts with `layer`, non-empty only. */
function values(layers: Layer[], layer: string, field: string, conv: (v: string) => string): string[] {
  const out: string[] = [];
  for (const l of layers) {
    if (!l.name.startsWith(layer)) continue;
    for (const f of l.fields) if (f.name.startsWith(field)) out.push(conv(f.value));
  }
  return out.filter((v) => v !== '');
}

for (const rel of FILES) {
  test(`decodeDetail shows tshark's values on ${rel}`, { skip }, () => {
    const path = fixture(rel);
    const pcap = readPcap(path);
    const args = ['-r', path, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=;',
      '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE', '-e', 'frame.number', '-e', 'frame.protocols'];
    for (const [f] of MAP) args.push('-e', f);
    const r = spawnSync('tshark', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(rows.length, pcap.records.length);
    let compared = 0;
    for (const rec of pcap.records) {
      const layers = decodeDetail(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype);
      const cols = rows[rec.frame - 1]!.split('\t');
      const protocols = cols[1]!.split(':');
      // ICMP errors quote an IP header: tshark reports its fields too; we stop at ICMP.
      const quoted = protocols.includes('icmp') || protocols.includes('icmpv6');
      const col = (name: string): string[] => (cols[MAP.findIndex((m) => m[0] === name) + 2] ?? '').split(';').filter((v) => v !== '');
      MAP.forEach(([tf, layer, field, conv, their], i) => {
        if (tf === 'tls.record.opaque_type') return;
        let theirs = (cols[i + 2] ?? '').split(';').filter((v) => v !== '').map(their ?? ((v) => v));
        if (tf === 'tls.record.content_type') theirs = [...theirs, ...col('tls.record.opaque_type')].sort();
        if (quoted) theirs = theirs.slice(0, 1);
        // tshark dissects the TCP header of cut frames only as far as it goes; we show none.
        if (tf.startsWith('tcp.') && layers.some((l) => l.name.startsWith('Transmission') && l.summary === 'truncated')) return;
        if (tf.startsWith('tls.') && !protocols.includes('tls')) return;
        let ours = values(layers, layer, field, conv);
        if (tf === 'tls.record.content_type') ours = ours.sort();
        assert.deepEqual(ours, theirs, `${rel} frame ${rec.frame}: ${tf}`);
        compared += ours.length;
      });
      // The IPv6 extension chain, in order, as tshark lists the protocols.
      const EXT: Record<string, string> = { 'ipv6.hopopts': 'Hop-by-Hop Options', 'ipv6.routing': 'Routing', 'ipv6.fraghdr': 'Fragment', 'ipv6.dstopts': 'Destination Options', ah: 'Authentication Header' };
      const chain = protocols.slice(protocols.indexOf('ipv6') + 1).filter((p) => EXT[p] !== undefined).map((p) => EXT[p]!);
      const v6 = layers.find((l) => l.name === 'Internet Protocol Version 6');
      const ours = v6 === undefined ? [] : v6.fields.map((f) => f.name).filter((n) => Object.values(EXT).includes(n));
      assert.deepEqual(ours, protocols.includes('ipv6') ? chain : [], `${rel} frame ${rec.frame}: IPv6 extension chain`);
      compared += ours.length;
    }
    assert.ok(compared > 0, `${rel}: nothing compared`);
  });
}

test('layer byte ranges lie within the record and follow each other', () => {
  for (const rel of FILES) {
    const pcap = readPcap(fixture(rel));
    for (const rec of pcap.records) {
      const layers = decodeDetail(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype);
      assert.equal(layers[0]!.name, 'Frame');
      let at = 0;
      for (const l of layers.slice(1)) {
        assert.ok(l.start >= at && l.start <= l.end && l.end <= rec.caplen, `${rel} frame ${rec.frame}: ${l.name} [${l.start},${l.end}) after ${at}`);
        at = l.end;
      }
    }
  }
});

test('snaplen-short.pcap: the TCP layer says where bytes ran out', () => {
  const pcap = readPcap(fixture('formats/snaplen-short.pcap'));
  for (const rec of pcap.records) {
    const layers = decodeDetail(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype);
    const last = layers[layers.length - 1]!;
    const note = last.fields.find((f) => f.name === TRUNCATED);
    assert.ok(note !== undefined, `frame ${rec.frame}: no truncated note in ${last.name}`);
  }
});

test('snaplen.pcap: a cut payload is noted on the IP layer and the TLS-free payload gets no TLS layer', () => {
  const pcap = readPcap(fixture('formats/snaplen.pcap'));
  let cut = 0;
  for (const rec of pcap.records) {
    if (rec.caplen === rec.origlen) continue;
    cut++;
    const layers = decodeDetail(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype);
    const ip = layers.find((l) => l.name.startsWith('Internet Protocol'))!;
    assert.ok(ip.fields.some((f) => f.name === TRUNCATED), `frame ${rec.frame}`);
    assert.ok(layers.some((l) => l.name === 'Transmission Control Protocol'));
    assert.ok(!layers.some((l) => l.name === 'Transport Layer Security'), `frame ${rec.frame}: TLS layer on plain data`);
  }
  assert.ok(cut > 0);
});
