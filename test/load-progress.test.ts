/**
 * Progress while a log is matched into connections (dataset.ts, correlateSteps): the grouping pass
 * over a 10 M-line log takes seconds after the last byte is read, and the UI's bar sat at the end
 * of the file meanwhile, its keys unanswered. A yielding load (the UI's) reports the events
 * matched as it goes, between the reading and the end, with the same connections as a plain load;
 * the headless progress line says what it is doing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/flows/dataset.js';
import type { LoadProgress } from '../src/flows/ingest.js';
import { flowRecord } from '../src/export/records.js';
import { progressReporter } from '../src/cli/progress.js';
import { generateAsaLog } from '../bench/gen-asa.js';

test('a yielding load of a log reports the matching step by step, and matches what a plain load does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 200_000, seed: 11 });
  const seen: LoadProgress[] = [];
  let turns = 0;
  const timer = setInterval(() => turns++, 0);
  const a = await loadDataset([log], { year: 2018, yieldEveryMs: 0, onProgress: (p) => seen.push({ ...p }) });
  clearInterval(timer);
  const matching = seen.filter((p) => p.phase === 'matching');
  // (a chunk is 64 Ki events: 200 k lines are four chunks or more, a step each)
  assert.ok(matching.length >= 3, `${matching.length} matching reports`);
  for (const p of matching) assert.equal(p.totalBytes, a.fw.count);
  for (let k = 1; k < matching.length; k++) assert.ok(matching[k]!.bytesRead >= matching[k - 1]!.bytesRead, 'counts only go up');
  assert.ok(matching[matching.length - 1]!.bytesRead > a.fw.count / 2, 'the last report is past half the events');
  // every read report comes before the first matching one
  const firstMatch = seen.findIndex((p) => p.phase === 'matching');
  assert.ok(seen.slice(firstMatch).every((p) => p.phase === 'matching' || p.phase === 'analysing'));
  assert.ok(turns > 0, 'the event loop had turns meanwhile');
  const b = await loadDataset([log], { year: 2018 });
  const rows = (ds: typeof a): string[] => Array.from({ length: ds.conns.count }, (_, i) => JSON.stringify(flowRecord(ds, i)));
  assert.deepEqual(rows(a), rows(b));
});

test('the headless progress line says what the load is doing: events read, then events matched', () => {
  const lines: string[] = [];
  const stream = { isTTY: true, write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const base = { file: 'asa.log', fileIndex: 0, files: 1, packets: 0, conns: 0 };
  progressReporter(stream).onProgress!({ ...base, phase: 'reading', bytesRead: 50, totalBytes: 100, events: 1234 });
  progressReporter(stream).onProgress!({ ...base, phase: 'matching', bytesRead: 250, totalBytes: 1000, events: 1000 });
  assert.match(lines[0]!, /reading asa\.log \(1\/1\) 50%  1234 firewall events$/);
  assert.match(lines[1]!, /matching firewall events 25%  250 of 1000$/);
});
