/**
 * TCP payload length when the frame and the IP length disagree, as tshark's tcp.len (the tshark
 * cross-checks run these fixtures too, where tshark is installed; these hold without it):
 * padding and trailers after the datagram do not count, a snaplen cut does not shorten it, a
 * frame reported shorter than its IP length ends it, and an IP length of 0 (segmentation
 * offload) means the frame as reported.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { DECODE, newTcpFacts } from '../src/decode/facts.js';
import { decodeTcp } from '../src/decode/packet.js';
import { decodeDetail } from '../src/decode/detail.js';
import { fixture } from './helpers.js';
import { readPcap, type PcapFile } from './pcap-records.js';

function lens(p: PcapFile): number[] {
  const f = newTcpFacts();
  return p.records.map((r) => (decodeTcp(p.data, r.off, r.caplen, r.origlen, p.linktype, f) === DECODE.TCP ? f.payloadLen : -1));
}

/** The payload lengths by the IP header alone, from the unaltered capture the fixture was made from. */
const original = (rel: string): number[] => lens(readPcap(fixture(rel)));

test('Ethernet padding and an FCS after the datagram are not payload', () => {
  const padded = readPcap(fixture('formats/eth-padded.pcap'));
  const rst = padded.records.find((r) => r.caplen === 60 && padded.data[r.off + 14 + 20 + 13]! & 0x04);
  assert.ok(rst, 'the RST padded to 60 bytes');
  assert.deepEqual(lens(padded), original('tcp/fin-then-rst.pcap'));
  assert.equal(lens(padded)[rst.frame - 1], 0);
  const fcs = readPcap(fixture('formats/eth-fcs.pcap'));
  assert.ok(fcs.records.every((r, k) => r.caplen >= readPcap(fixture('tcp/tls12-no-close-notify.pcap')).records[k]!.caplen + 4));
  assert.deepEqual(lens(fcs), original('tcp/tls12-no-close-notify.pcap'));
});

test('a frame reported shorter than its IP length: the payload ends with the frame (IPv4 and IPv6)', () => {
  const sliced = lens(readPcap(fixture('formats/eth-sliced.pcap')));
  const whole = original('tcp/tls12-no-close-notify.pcap');
  // data frames were cut to 80 bytes with a 32-byte TCP header: 80 - 14 - 20 - 32 = 14
  assert.deepEqual(sliced, whole.map((n) => (n > 14 ? 14 : n)));
  assert.ok(whole.some((n) => n > 14), 'some frames were sliced');
  const v6 = lens(readPcap(fixture('formats/ipv6-sliced.pcap')));
  assert.deepEqual(v6, original('formats/ipv6.pcap').map((n) => (n > 8 ? 8 : n)));
  // the packet detail says so
  const p = readPcap(fixture('formats/eth-sliced.pcap'));
  const r = p.records[whole.findIndex((n) => n > 14)]!;
  const ip = decodeDetail(p.data, r.off, r.caplen, r.origlen, p.linktype).find((l) => l.name === 'Internet Protocol Version 4')!;
  assert.match(ip.fields.find((f) => f.name === 'error')!.value.toString(), /runs past the frame/);
});

test('IPv4 total length 0 (segmentation offload) under a snaplen cut: the payload is the frame as on the wire', () => {
  const p = readPcap(fixture('formats/ipv4-len0.pcap'));
  assert.ok(p.records.some((r) => r.caplen < r.origlen && p.data[r.off + 16] === 0 && p.data[r.off + 17] === 0), 'cut frames with total length 0');
  assert.deepEqual(lens(p), original('tcp/tls12-no-close-notify.pcap'));
});

test('IPv6 payload length 0 likewise takes the frame as reported (tshark 4.0 finds no TCP there: a deliberate difference)', () => {
  const p = readPcap(fixture('formats/ipv6.pcap'));
  const k = original('formats/ipv6.pcap').findIndex((n) => n > 0);
  const r = p.records[k]!;
  const data = p.data.slice();
  data[r.off + 18] = 0;
  data[r.off + 19] = 0;
  const f = newTcpFacts();
  // cut at 90 bytes, reported as 100 more than it was
  assert.equal(decodeTcp(data, r.off, 90, r.origlen + 100, p.linktype, f), DECODE.TCP);
  assert.equal(f.payloadLen, original('formats/ipv6.pcap')[k]! + 100);
  assert.equal(f.cut, true);
});
