/**
 * The fuzz harness's reproducers (fixtures/fuzz/, one README line each): every one, alone or with
 * the files of its input (`KIND-SEED-I-K.EXT`), goes through everything the harness runs (readers,
 * analysis, explain, summary, flow lines, every export) without a fault, and its issues name file
 * and position. Then what each fixed bug does now, asserted directly.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInput } from '../fuzz/check.js';
import { loadDataset } from '../src/flows/dataset.js';
import { ecsFlow } from '../src/export/ecs.js';
import { fixture } from './helpers.js';

const DIR = fixture('fuzz');

/** The reproducers, grouped into the inputs they were (`stem-K.ext` files run together). */
function inputs(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of readdirSync(DIR).sort()) {
    if (name === 'README.md') continue;
    const stem = /^([a-z]+-\d+-\d+)(?:-\d+)?\./.exec(name)?.[1] ?? name;
    groups.set(stem, [...(groups.get(stem) ?? []), join(DIR, name)]);
  }
  return groups;
}

test('every reproducer runs through readers, analysis, explain and exports without a fault', async () => {
  const all = inputs();
  assert.ok(all.size > 0, 'fixtures/fuzz holds reproducers');
  const out = mkdtempSync(join(tmpdir(), 'rsttui-repro-'));
  try {
    for (const [stem, paths] of all) assert.deepEqual(await checkInput(paths, out), [], stem);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('ECS of a row whose log line has no time (a bare %ASA- line) leaves its times out instead of throwing', async () => {
  for (const f of ['fuzz/log-1-297.log', 'logs/envelopes.log']) {
    const ds = await loadDataset([fixture(f)]);
    const untimed = Array.from({ length: ds.conns.count }, (_, i) => i).filter((i) => !Number.isFinite(ds.conns.firstTs[i]!));
    assert.ok(untimed.length > 0, `${f} has a row without a time`);
    for (const i of untimed) {
      const d = JSON.parse(JSON.stringify(ecsFlow(ds, i)));
      assert.equal(d['@timestamp'], undefined);
      assert.equal(d.event.start, undefined);
      assert.equal(d.event.duration, undefined);
      assert.equal(d.rsttui.firewall.some((e: { ts?: string }) => e.ts === undefined), true, 'the untimed event has no ts');
    }
    // the timed rows keep theirs
    const timed = Array.from({ length: ds.conns.count }, (_, i) => i).filter((i) => Number.isFinite(ds.conns.firstTs[i]!));
    for (const i of timed) assert.match(ecsFlow(ds, i)['@timestamp']!, /^\d{4}-\d\d-\d\dT/);
  }
});

test('a gzip log cut short: the read error names the decompressed offset where it stopped', async () => {
  const ds = await loadDataset([fixture('fuzz/gzip-1-275.gz')]);
  const err = ds.issues.find((i) => i.code === 'read-error');
  assert.ok(err, 'a read error');
  assert.equal(err.offset, 6451);
  assert.ok(ds.fw.count > 0, 'the events before the cut are kept');
});

test('packets whose time is past what a Date can hold (a huge if_tsoffset) print "-" as their time instead of throwing', async () => {
  const { explainLines } = await import('../src/cli/explain.js');
  const { timeOfDay } = await import('../src/ui/view/text.js');
  const ds = await loadDataset([fixture('fuzz/pcapng-3-127.pcapng')]);
  const far = Array.from({ length: ds.conns.count }, (_, i) => i).filter((i) => Math.abs(ds.conns.firstTs[i]!) >= 8.64e12);
  assert.ok(far.length > 0, 'a connection on the interface with the huge offset');
  for (const i of far) {
    assert.match(explainLines(ds, i)[2]!, /^ {2}first {7}- UTC/);
    assert.equal(timeOfDay(ds.conns.firstTs[i]!), '-');
  }
});

test('a gzip text listing cut short: the lines before the cut are read, the error names its offset', async () => {
  const ds = await loadDataset([fixture('fuzz/gzip-1-1745.gz')]);
  const err = ds.issues.find((i) => i.code === 'read-error');
  assert.ok(err, 'a read error, not an exception');
  assert.equal(err.offset, 4389);
  assert.equal(ds.files[0]?.kind, 'text-capture');
  assert.ok(ds.packets.count > 0, 'the packets of the lines before the cut');
});
