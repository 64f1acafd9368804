/**
 * The grouping of a log's events on two threads (src/correlate/fw-group-thread.ts: the id side in
 * a worker, the tuple side here a chunk behind it) makes exactly the groups one thread makes, on
 * every fixture log of every vendor and on generated logs; and a deny logged before its
 * connection's Teardown is judged as before it, though the id side has already passed that
 * Teardown (it always has on one thread, and may have on two).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestInputs } from '../src/flows/ingest.js';
import { loadDataset } from '../src/flows/dataset.js';
import { finish } from '../src/flows/steps.js';
import { groupEventSteps } from '../src/correlate/fw-group-thread.js';
import { P_CHUNKS, P_GROUPS, P_REGS, P_STATE, S_FAILED } from '../src/correlate/fw-id-side.js';
import { pathToFileURL } from 'node:url';
import type { Grouping } from '../src/correlate/fw-groups.js';
import { anomalyNames, TEARDOWNS } from '../src/model.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { fixture } from './helpers.js';

function logsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? logsUnder(p) : f.endsWith('.log') ? [p] : [];
  });
}

/** Everything a grouping says, group by group in the order they were made. */
function dump(x: Grouping): unknown {
  const g = x.groups, groups: number[][] = [];
  for (let k = 0; k < g.n; k++) {
    const i = g.nth(k);
    groups.push([i, g.kind[i]!, g.born[i]!, g.built(i), g.teardown(i), g.ref(i), g.anomalies(i), g.first(i), g.last(i)]);
  }
  const pairs: string[] = [];
  for (let k = 0; k < x.pairs.n; k++) pairs.push(`${x.pairs.a[2 * k]}:${x.pairs.a[2 * k + 1]}`);
  const lh: string[] = [];
  for (let k = 0; k < x.lhNear.length; k += 3) lh.push(`${x.lhNear[k]}:${x.lhNear[k + 1]}:${x.lhNear[k + 2]}`);
  return { groups, pairs: pairs.sort(), lh: lh.sort() };
}

async function bothWays(path: string): Promise<{ one: Grouping; two: Grouping }> {
  // (read by the log workers: the chunks are in shared memory, as the grouping's worker wants them)
  const ing = await ingestInputs([path], { year: 2018, worker: 'always' });
  const one = finish(groupEventSteps(ing.fw, ing.addrs.count, 'never'));
  const two = finish(groupEventSteps(ing.fw, ing.addrs.count, 'always'));
  return { one, two };
}

test('every fixture log: the grouping on two threads makes exactly what one thread makes', async () => {
  let logs = 0, groups = 0, pairs = 0, lh = 0;
  for (const log of logsUnder(fixture('logs'))) {
    const { one, two } = await bothWays(log);
    assert.equal(one.threads, 1);
    if (one.groups.n === 0 && one.pairs.n === 0) continue;
    assert.equal(two.threads, 2, `${log}: the id side ran in the worker`);
    assert.deepEqual(dump(two), dump(one), log);
    logs++;
    groups += one.groups.n;
    pairs += one.pairs.n;
    lh += one.lhNear.length;
  }
  assert.ok(logs >= 10 && groups > 0 && pairs > 0 && lh > 0, `${logs} logs, ${groups} groups, ${pairs} pairs, ${lh / 3} local-host lines`);
});

test('generated logs of ASA lines: two threads make what one makes, and the groups are the generator\'s connections', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-groupthread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const seed of [3, 12]) {
    const path = join(dir, `asa-${seed}.log`);
    const truth = generateAsaLog(path, { lines: 120_000, seed });
    const { one, two } = await bothWays(path);
    assert.equal(two.threads, 2);
    assert.deepEqual(dump(two), dump(one), `seed ${seed}`);
    // (the tuple side's groups come after the id side's by number, not by when they were made)
    assert.ok(one.groups.order, `seed ${seed}: the groups' order is kept apart from their numbers`);
    assert.equal(one.groups.n, truth.rows, `seed ${seed}: a group a connection`);
  }
});

test('a deny logged before its Teardown is judged as before it: rst-denied while open, late-rst only within a second of the close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-predeny-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const built = (s: string, id: number, port: number): string =>
    `Jun 20 2018 00:00:${s} fw1 : %ASA-6-302013: Built outbound TCP connection ${id} for outside:192.0.2.10/443 (192.0.2.10/443) to inside:10.1.1.5/${port} (198.51.100.7/${port})`;
  const deny = (s: string, port: number): string =>
    `Jun 20 2018 00:00:${s} fw1 : %ASA-6-106015: Deny TCP (no connection) from 192.0.2.10/443 to 198.51.100.7/${port} flags RST  on interface outside`;
  const teardown = (s: string, id: number, port: number): string =>
    `Jun 20 2018 00:00:${s} fw1 : %ASA-6-302014: Teardown TCP connection ${id} for outside:192.0.2.10/443 to inside:10.1.1.5/${port} duration 0:00:20 bytes 1200 TCP FINs from inside`;
  const path = join(dir, 'asa.log');
  // 50001: a RST denied 10 s before the close is logged (still open); 50002: in the second of it
  writeFileSync(path, [
    built('01', 1, 50001), built('01', 2, 50002),
    deny('11', 50001),
    deny('21', 50002), teardown('21', 1, 50001), teardown('21', 2, 50002),
  ].join('\n') + '\n');
  for (const worker of ['never', 'always'] as const) {
    const ds = await loadDataset([path], { year: 2018, worker });
    const byPort = new Map<number, { teardown: string; anomalies: string[] }>();
    for (let i = 0; i < ds.conns.count; i++) {
      byPort.set(ds.conns.origPort[i] === 443 ? ds.conns.respPort[i]! : ds.conns.origPort[i]!,
        { teardown: TEARDOWNS[ds.conns.teardown[i]!]!, anomalies: anomalyNames(ds.conns.anomalies[i]!).filter((a) => a !== 'firewall-only') });
    }
    assert.deepEqual(byPort.get(50001), { teardown: 'graceful', anomalies: ['rst-denied'] }, worker);
    assert.deepEqual(byPort.get(50002), { teardown: 'graceful', anomalies: ['late-rst', 'rst-denied'] }, worker);
  }
});

test('a grouping worker that fails midway: the whole grouping is made again on this thread, as one thread makes it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-groupfail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'asa.log');
  generateAsaLog(path, { lines: 150_000, seed: 5 });
  // (it passes a chunk, having written nonsense where the groups and registrations go, then fails as the real one does on an error)
  const script = join(dir, 'fails.mjs');
  writeFileSync(script, `import { parentPort } from 'node:worker_threads';
parentPort.once('message', (task) => {
  const { progress, port } = task;
  new Uint8Array(task.groups.kind).fill(7);
  task.regs.fill(3);
  Atomics.store(progress, ${P_REGS}, 100);
  Atomics.store(progress, ${P_GROUPS}, 100);
  Atomics.store(progress, ${P_CHUNKS}, 1);
  Atomics.notify(progress, ${P_CHUNKS});
  port.postMessage({ error: 'failed on purpose' });
  Atomics.store(progress, ${P_STATE}, ${S_FAILED});
  Atomics.notify(progress, ${P_CHUNKS});
  Atomics.notify(progress, ${P_STATE});
  port.close();
});
`);
  const ing = await ingestInputs([path], { year: 2018, worker: 'always' });
  const one = finish(groupEventSteps(ing.fw, ing.addrs.count, 'never'));
  const failed = finish(groupEventSteps(ing.fw, ing.addrs.count, 'always', pathToFileURL(script)));
  assert.equal(failed.threads, 1, 'the grouping fell back to one thread');
  assert.ok(one.groups.n > 1000, `${one.groups.n} groups`);
  assert.deepEqual(dump(failed), dump(one));
});
