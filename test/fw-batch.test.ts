/**
 * A block of flow lines' firewall events read ahead in file order (export/fw-batch.ts, through
 * FirewallBytes.prepare): the arrays are exactly the records as JSON, every plain event comes from
 * the read-ahead, lines close together share a read, a plain Teardown that would be read alone is
 * written from its columns, and no part of the log is read twice in a block.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/flows/dataset.js';
import { FirewallBytes } from '../src/export/fw-bytes.js';
import { firewallRecords } from '../src/export/records.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { TEXT_ESC, TEXT_PLAIN } from '../src/read/fw-chunk.js';

test('read ahead: the arrays are the records as JSON, near lines in one read, each byte of the log read once a block', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-fw-batch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  // (Built and Teardown lines of a connection far apart, denies between: the reads are not in file order)
  generateAsaLog(log, { lines: 20_000, seed: 5 });
  // (read as a large log is: by the log workers, whose byte reader says which bodies are plain)
  const ds = await loadDataset([log], { year: 2018, worker: 'always' });
  const n = ds.conns.count;
  assert.ok(n > 5000, `${n} rows`);
  const array = (fb: FirewallBytes, i: number): string => {
    const max = fb.bound(i);
    assert.ok(max >= 0, `row ${i}: its events read ahead (every line of this log is plain)`);
    const b = new Uint8Array(max + 8);
    const end = fb.encodeInto(b, 4, i);
    assert.ok(end - 4 <= max, `row ${i}: within its bound`);
    return Buffer.from(b.subarray(4, end)).toString();
  };
  // blocks of connections, as the lines are written
  const blocks = new FirewallBytes(ds);
  let events = 0;
  for (let from = 0; from < n; from += 500) {
    const to = Math.min(n, from + 500);
    blocks.prepare(from, to);
    for (let i = from; i < to; i++) {
      assert.equal(array(blocks, i), JSON.stringify(firewallRecords(ds, i)), `row ${i}`);
      // (the CSV cell's parts: each event's JSON as text)
      assert.deepEqual(blocks.eventTexts(i), firewallRecords(ds, i).map((r) => JSON.stringify(r)), `row ${i}: texts`);
      events += ds.fwEvents(i).length;
    }
  }
  assert.ok(blocks.reads.reads > 0 && blocks.reads.reads * 4 < events, `${blocks.reads.reads} reads for ${events} events`);
  // (a Teardown far from the other lines of its block is written from its columns, not read alone)
  assert.ok(blocks.reads.rendered > 10, `${blocks.reads.rendered} bodies written from their columns`);
  // one block of every connection: its reads do not overlap but for the bytes read past a line's start
  const all = new FirewallBytes(ds);
  all.prepare(0, n);
  for (let i = 0; i < n; i += 97) assert.equal(array(all, i), JSON.stringify(firewallRecords(ds, i)), `row ${i}`);
  const { reads, bytes } = all.reads;
  const size = statSync(log).size;
  assert.ok(bytes <= size + 512 * reads, `${bytes} bytes read in ${reads} reads, the log is ${size}`);
  // outside the block read ahead, the events are taken one by one: the same bytes
  assert.equal(Buffer.from(blocks.bytes.subarray(0, blocks.encode(3))).toString(), JSON.stringify(firewallRecords(ds, 3)));
  assert.equal(blocks.bound(3), -1);
  assert.equal(blocks.eventTexts(3), undefined);
});

test('read ahead: a line ends where the next row starts only when that row is the next line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-fw-batch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  const at = (s: number): string => `Jun 20 2018 00:00:${String(s).padStart(2, '0')}`;
  const built = (s: number, id: number, port: number): string =>
    `<166>${at(s)} fw01 : %ASA-6-302013: Built outbound TCP connection ${id} for outside:192.0.2.67/80 (192.0.2.67/80) to inside:10.0.0.${id % 200}/${port} (10.0.0.${id % 200}/${port})`;
  const teardown = (s: number, id: number, port: number, reason: string): string =>
    `<166>${at(s)} fw01 : %ASA-6-302014: Teardown TCP connection ${id} for outside:192.0.2.67/80 to inside:10.0.0.${id % 200}/${port} duration 0:00:01 bytes 300 ${reason}`;
  const lines = [
    built(1, 11, 40001),
    'not a syslog line at all, and not a row', // between two rows: the row before must not take it
    built(1, 12, 40002) + '\r', // CRLF
    '',
    built(1, 13, 40003) + '   ', // trailing spaces
    '<166>Jun 20 2018 00:00:01 fw01 : %ASA-6-302013: Built outbound TCP connection 14 for outside:192.0.2.67/80 (192.0.2.67/80) to inside:', // malformed
    teardown(2, 11, 40001, 'TCP FINs from inside'),
    teardown(2, 12, 40002, 'TCP Reset-I from inside') + '\r',
    // a filler far larger than a read's gap, so that the next lines are read on their own
    ...Array.from({ length: 400 }, (_, k) => `<166>${at(2)} fw01 : %ASA-6-113004: AAA user authentication Successful : server = 10.1.1.${k % 250} : user = CORP\\u${k}`),
    teardown(3, 13, 40003, 'TCP FINs from inside') + '  ',
    'junk after the last row, with no newline at its end',
  ];
  writeFileSync(log, lines.join('\n'));
  // (read as a large log is, by the log workers' byte reader, which knows a body's bytes: TEXT_*)
  const ds = await loadDataset([log], { year: 2018, worker: 'always' });
  assert.ok(ds.fw.chunks.some((c) => c.bits.subarray(0, c.n).some((b) => (b & (TEXT_PLAIN | TEXT_ESC)) !== 0)), 'rows from the byte reader');
  const n = ds.conns.count;
  assert.ok(n >= 3, `${n} rows`);
  const fb = new FirewallBytes(ds);
  fb.prepare(0, n);
  for (let i = 0; i < n; i++) {
    const max = fb.bound(i);
    assert.ok(max >= 0, `row ${i}: read ahead`);
    const b = new Uint8Array(max + 8);
    assert.equal(Buffer.from(b.subarray(4, fb.encodeInto(b, 4, i))).toString(), JSON.stringify(firewallRecords(ds, i)), `row ${i}`);
  }
});
