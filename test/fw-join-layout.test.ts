/**
 * The log joins' data layout (issue 15, at scale): tables sized once in memory whose untouched
 * pages cost nothing (lazyArray), the events of each connection kept in time order whether the
 * log was written in time order or not, and the closing side a reason names whatever the case of
 * the interface names.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazyArray } from '../src/flows/memory.js';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';

function tmpLog(t: { after: (f: () => void) => void }, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-fwjoin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'asa.log');
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const asa = (time: string, body: string): string => `<166>Jun 20 2018 ${time} fw01 : %ASA-6-${body}`;

test('lazyArray: zeroed, of the length asked, and the pages never written take no memory', () => {
  const n = 64 << 20; // 512 MB of Float64
  const before = process.memoryUsage.rss();
  const a = lazyArray(Float64Array, n);
  assert.equal(a.length, n);
  a[0] = 1.5;
  a[n - 1] = -2;
  assert.equal(a[0], 1.5);
  assert.equal(a[n - 1], -2);
  assert.equal(a[n >> 1], 0);
  const grown = process.memoryUsage.rss() - before;
  assert.ok(grown < 64 << 20, `RSS grew by ${(grown / 1048576).toFixed(0)} MB for two pages written`);
});

test("a connection's events are in time order when the log is not (and the order the log gives when it is)", async (t) => {
  const connLines = (tdTime: string): string[] => [
    asa('10:00:10', '302013: Built inbound TCP connection 101 for outside:198.51.100.7/40001 (198.51.100.7/40001) to inside:10.0.0.5/443 (10.0.0.5/443)'),
    // (a relay that reordered: the Teardown written after the Built, stamped before it)
    asa(tdTime, '302014: Teardown TCP connection 101 for outside:198.51.100.7/40001 to inside:10.0.0.5/443 duration 0:00:05 bytes 900 TCP FINs'),
  ];
  for (const [tdTime, inOrder] of [['10:00:05', false], ['10:00:15', true]] as const) {
    const ds = await loadDataset([tmpLog(t, connLines(tdTime))], { year: 2018 });
    assert.equal(ds.conns.count, 1);
    const evs = ds.firewallOf(0);
    assert.equal(evs.length, 2);
    assert.deepEqual(evs.map((e) => e.kind), inOrder ? ['built', 'teardown'] : ['teardown', 'built'], `teardown at ${tdTime}`);
  }
});

test('the closing side a reason names is found whatever the case of the interface names', async (t) => {
  const lines = [
    asa('10:00:10', '302013: Built inbound TCP connection 7 for Outside:198.51.100.7/40001 (198.51.100.7/40001) to Inside:10.0.0.5/443 (10.0.0.5/443)'),
    asa('10:00:20', '302014: Teardown TCP connection 7 for Outside:198.51.100.7/40001 to Inside:10.0.0.5/443 duration 0:00:10 bytes 900 TCP Reset-I from INSIDE'),
    asa('10:00:30', '302013: Built inbound TCP connection 8 for Outside:198.51.100.8/40002 (198.51.100.8/40002) to Inside:10.0.0.5/443 (10.0.0.5/443)'),
    asa('10:00:40', '302014: Teardown TCP connection 8 for Outside:198.51.100.8/40002 to Inside:10.0.0.5/443 duration 0:00:10 bytes 900 TCP Reset-O from Outside'),
  ];
  const ds = await loadDataset([tmpLog(t, lines)], { year: 2018 });
  const recs = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.deepEqual(recs.map((r) => [r.orig_p, r.teardown, r.closed_by]), [[40001, 'abort', 'resp'], [40002, 'abort', 'orig']]);
});

test('a local-host line goes with the connection whose Built is beside it, not with one whose Built a later one of the same id replaced', async (t) => {
  const lh = (time: string, host: string): string => `<167>Jun 20 2018 ${time} fw01 : %ASA-7-609001: Built local-host inside:${host}`;
  const lines = [
    asa('10:00:10', '302013: Built inbound TCP connection 7 for outside:198.51.100.7/40001 (198.51.100.7/40001) to inside:10.0.0.5/443 (10.0.0.5/443)'),
    lh('10:00:10', '10.0.0.5'),
    asa('10:00:20', '302014: Teardown TCP connection 7 for outside:198.51.100.7/40001 to inside:10.0.0.5/443 duration 0:00:10 bytes 900 TCP FINs'),
    asa('10:01:00', '302013: Built inbound TCP connection 9 for outside:198.51.100.8/40002 (198.51.100.8/40002) to inside:10.0.0.6/443 (10.0.0.6/443)'),
    lh('10:01:00', '10.0.0.6'),
    asa('10:01:30', '302013: Built inbound TCP connection 9 for outside:198.51.100.8/40002 (198.51.100.8/40002) to inside:10.0.0.6/443 (10.0.0.6/443)'),
    asa('10:01:40', '302014: Teardown TCP connection 9 for outside:198.51.100.8/40002 to inside:10.0.0.6/443 duration 0:00:40 bytes 900 TCP FINs'),
  ];
  const ds = await loadDataset([tmpLog(t, lines)], { year: 2018 });
  const kinds = (port: number): string[] => {
    for (let i = 0; i < ds.conns.count; i++) if (ds.conns.origPort[i] === port) return ds.firewallOf(i).map((e) => e.kind);
    return [];
  };
  assert.deepEqual(kinds(40001), ['built', 'local-host-built', 'teardown']);
  assert.deepEqual(kinds(40002), ['built', 'built', 'teardown']);
});
