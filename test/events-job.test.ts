/**
 * The index of each connection's firewall events made by a worker beside the log's verdicts
 * (correlate/events-job.ts) is the one made on the main thread: on a generated log, on captures
 * with a log (events attached to a connection at two vantages), and on a log whose lines are not
 * in time order (each connection's events sorted by time).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { fixture } from './helpers.js';

/** Each connection's events as `log:line` (event indices depend on how the log was cut into chunks: one reader or two). */
const index = (ds: Dataset): string[] => Array.from({ length: ds.conns.count }, (_, i) => Array.from(ds.fwEvents(i), (e) => `${ds.fw.log(e)}:${ds.fw.line(e)}`).join(','));

test('events by connection: the worker\'s index is the main thread\'s', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-events-job-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 20_000, seed: 17 });
  // the same lines, every 50 lines moved 40 lines later: times go back (the per-connection sort)
  const lines = readFileSync(log, 'latin1').trimEnd().split('\n');
  for (let k = 0; k + 40 < lines.length; k += 50) lines.splice(k + 40, 0, lines.splice(k, 1)[0]!);
  const shuffled = join(dir, 'shuffled.log');
  writeFileSync(shuffled, lines.join('\n') + '\n', 'latin1');
  const sets = [[log], [shuffled], ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture)];
  for (const files of sets) {
    // (RSTTUI_WORKER=0 and =1 as the loads' worker modes: the second reads and indexes in workers)
    const here = await loadDataset(files, { year: 2018, worker: 'never' });
    const there = await loadDataset(files, { year: 2018, worker: 'always' });
    const a = index(here), b = index(there);
    assert.ok(a.filter((x) => x.includes(',')).length > 0, `${files.join(' ')}: connections with several events`);
    assert.deepEqual(b, a, files.join(' '));
  }
});
