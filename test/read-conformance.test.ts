/**
 * Conformance with the npm package `pcap-parser` (the reference the user named): on every
 * classic-pcap fixture it can read, our reader yields the same records (count, ts_sec, ts_usec,
 * caplen, origlen, bytes).
 *
 * What pcap-parser does on damage, and how we differ:
 * - nanosecond magic (a1b23c4d): it rejects the file ('unknown magic number'); we read it.
 * - truncated last record: it emits 'packetHeader' for the cut record but never 'packetData',
 *   then 'end', with no error: the record is dropped silently. We drop it too, but report
 *   `truncated-record` with its offset.
 * - cut inside a record header, or an absurd caplen: it waits for bytes that never come and
 *   ends silently; we report `truncated-record` / `absurd-caplen`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixture } from './helpers.js';
import { PcapReader } from '../src/read/pcap.js';
import { sniffKind } from '../src/read/detect.js';
import type { InputIssue } from '../src/model.js';

interface PpEmitter {
  on(ev: 'globalHeader', f: (h: { linkLayerType: number; snapshotLength: number }) => void): PpEmitter;
  on(ev: 'packetHeader', f: (h: PpHeader) => void): PpEmitter;
  on(ev: 'packetData', f: (d: Buffer) => void): PpEmitter;
  on(ev: 'error', f: (e: Error) => void): PpEmitter;
  on(ev: 'end', f: () => void): PpEmitter;
}
interface PpHeader { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string): PpEmitter };

interface Rec { sec: number; usec: number; caplen: number; origlen: number; hex: string }
interface PpResult { linktype?: number; headers: number; recs: Rec[]; error?: string }

function viaPcapParser(path: string): Promise<PpResult> {
  return new Promise((resolve) => {
    const out: PpResult = { headers: 0, recs: [] };
    let hdr: PpHeader | undefined;
    let done = false;
    pcapParser
      .parse(path)
      .on('globalHeader', (h) => (out.linktype = h.linkLayerType))
      .on('packetHeader', (h) => {
        out.headers++;
        hdr = h;
      })
      .on('packetData', (d) => {
        const h = hdr!;
        out.recs.push({ sec: h.timestampSeconds, usec: h.timestampMicroseconds, caplen: h.capturedLength, origlen: h.originalLength, hex: d.toString('hex') });
      })
      // after a bad header it emits 'error' then 'end' (twice); after a read error only 'error'
      .on('error', (e) => {
        out.error = e.message;
        finish();
      })
      .on('end', finish);
    function finish(): void {
      if (!done) resolve(out);
      done = true;
    }
  });
}

function viaUs(path: string): { recs: Rec[]; issues: InputIssue[]; linktype: number } {
  const recs: Rec[] = [];
  const issues: InputIssue[] = [];
  const r = new PcapReader(path, {
    record(data, off, caplen, origlen, sec, nsec) {
      recs.push({ sec, usec: nsec / 1000, caplen, origlen, hex: Buffer.from(data.subarray(off, off + caplen)).toString('hex') });
    },
    issue: (i) => issues.push(i),
  });
  r.push(readFileSync(path));
  r.end();
  return { recs, issues, linktype: r.linktypeField };
}

const isNsec = (path: string): boolean => {
  const m = readFileSync(path).subarray(0, 4).toString('hex');
  return m === 'a1b23c4d' || m === '4d3cb2a1';
};

// classic pcap by content, not by name (a `.pcap` written by editcap without -F pcap is pcapng)
const classic = [...readdirSync(fixture('formats')).map((f) => `formats/${f}`), 'text/tcpdump-real.pcap']
  .filter((f) => sniffKind(readFileSync(fixture(f)).subarray(0, 4)) === 'pcap');

test('fixtures to compare exist', () => {
  assert.ok(classic.length >= 10, classic.join(' '));
  assert.ok(classic.some((f) => !isNsec(fixture(f))));
});

for (const rel of classic) {
  const path = fixture(rel);
  test(`${rel}: same records as pcap-parser`, async () => {
    const pp = await viaPcapParser(path);
    const us = viaUs(path);
    if (isNsec(path)) {
      // pcap-parser knows only the microsecond magic
      assert.match(pp.error ?? '', /unknown magic number/);
      assert.ok(us.recs.length > 0);
      return;
    }
    assert.equal(pp.error, undefined);
    assert.deepEqual(us.issues, []);
    assert.equal(us.linktype, pp.linktype);
    assert.equal(us.recs.length, pp.headers);
    assert.deepEqual(us.recs, pp.recs);
  });
}

test('truncated last record: pcap-parser drops it silently, we drop it and say so', async () => {
  const path = fixture('malformed/truncated-record.pcap');
  const pp = await viaPcapParser(path);
  const us = viaUs(path);
  assert.equal(pp.error, undefined);
  assert.equal(pp.headers, pp.recs.length + 1); // a header for the cut record, no data
  assert.deepEqual(us.recs, pp.recs);
  assert.equal(us.recs.length, 10);
  assert.deepEqual(us.issues.map((i) => [i.code, i.offset]), [['truncated-record', 884]]);
});

test('cut record header and absurd caplen: same good records, and we report the damage', async () => {
  for (const [name, code] of [['truncated-record-header.pcap', 'truncated-record'], ['absurd-caplen.pcap', 'absurd-caplen']] as const) {
    const path = fixture(`malformed/${name}`);
    const pp = await viaPcapParser(path);
    const us = viaUs(path);
    assert.equal(pp.error, undefined, name);
    assert.deepEqual(us.recs, pp.recs, name);
    assert.deepEqual(us.issues.map((i) => i.code), [code], name);
  }
});

test('caplen above snaplen: both keep every record', async () => {
  const path = fixture('malformed/caplen-gt-snaplen.pcap');
  const pp = await viaPcapParser(path);
  const us = viaUs(path);
  assert.equal(pp.recs.length, 11);
  assert.deepEqual(us.recs, pp.recs);
  assert.ok(us.issues.every((i) => i.code === 'caplen-gt-snaplen'));
});
