/**
 * The log-only connections' rows and verdicts on two threads (correlate/fw-verdict-thread.ts,
 * firewall.ts addLogOnly, applyLogVerdicts): the worker's blocks give the columns this thread alone
 * gives, and a worker ended in the middle of its work leaves what it did not finish to this
 * thread, with the same result.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestInputs } from '../src/flows/ingest.js';
import { correlateSteps } from '../src/correlate/firewall.js';
import { finish } from '../src/flows/steps.js';
import { applyLogVerdicts } from '../src/correlate/fw-verdicts.js';
import { VerdictThread, type VerdictRun } from '../src/correlate/fw-verdict-thread.js';
import { LOG_ONLY } from '../src/correlate/fw-group-verdict.js';
import { TEARDOWNS } from '../src/model.js';
import { generateAsaLog } from '../bench/gen-asa.js';

const BLOCK = 512;
const COLUMNS = ['connState', 'teardown', 'closedBy', 'anomalies', 'fwBytes'] as const;

const ROWS = ['vantage', 'origAddr', 'respAddr', 'origPort', 'respPort', 'firstTs', 'lastTs'] as const;

/**
 * A generated log read and matched as a large one is (its chunks and groups in shared memory), its
 * log-only connections' rows written with `helper`'s worker if given, not yet given verdicts.
 */
async function matched(t: test.TestContext, helper?: Pick<VerdictThread, 'run'>) {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-verdicts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 20_000, seed: 7 });
  const { conns, fw: table, addrs } = await ingestInputs([log], { year: 2018, worker: 'always' });
  const corr = finish(correlateSteps(table, conns, addrs, { thread: 'always', ...(helper ? { helper } : {}), block: BLOCK }));
  // (addresses by their text: two loads number them apart, as the log workers' chunks come in)
  const rows = ROWS.map((c) => Array.from(conns[c] as ArrayLike<number>).slice(0, conns.count).map((x) => (c.endsWith('Addr') ? addrs.text(x) : x)));
  const map = conns.finalize();
  return { table, corr, map, conns, rows };
}

type Matched = Awaited<ReturnType<typeof matched>>;

/** Fresh verdict columns in shared memory (as the load makes them for its threads); then the verdicts; the columns as arrays. */
function verdicts(m: Matched, thread?: Parameters<typeof applyLogVerdicts>[4], meanwhile?: () => void) {
  const { conns } = m;
  const n = conns.count;
  const u8 = (): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));
  conns.connState = u8();
  conns.teardown = u8();
  conns.closedBy = u8();
  conns.anomalies = new Uint32Array(new SharedArrayBuffer(4 * n));
  conns.fwBytes = new Float64Array(new SharedArrayBuffer(8 * n)).fill(NaN);
  const share = applyLogVerdicts(m.table, m.corr, m.map, conns, thread, meanwhile, BLOCK);
  return { share, cols: COLUMNS.map((c) => Array.from(conns[c] as ArrayLike<number>)) };
}

/** Wait (this thread blocked) until f() or a few seconds have passed. */
function until(f: () => boolean): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const end = Date.now() + 10_000; !f() && Date.now() < end;) Atomics.wait(nap, 0, 0, 5);
}

/**
 * A worker whose run the test can see (and stop) while this thread waits; `first`: this thread
 * starts on its blocks once the worker has finished one (it surely takes part).
 */
function watched(first = false): { thread: VerdictThread; wrap: Pick<VerdictThread, 'run'>; run: () => VerdictRun | undefined } {
  const thread = VerdictThread.start(0, 'always')!;
  assert.ok(thread, 'a verdict worker (built)');
  let run: VerdictRun | undefined;
  const wrap: Pick<VerdictThread, 'run'> = {
    run: (...a) => {
      run = thread.run(...a);
      if (first) until(() => (run?.workerBlocks() ?? 0) > 0);
      return run;
    },
  };
  return { thread, wrap, run: () => run };
}

test('log-only verdicts: the worker\'s blocks give the columns one thread gives', async (t) => {
  const m = await matched(t);
  const one = verdicts(m);
  const logOnly = Array.from(m.conns.vantage).filter((v) => v === LOG_ONLY).length;
  assert.ok(logOnly > 4 * BLOCK, `${logOnly} log-only connections`);
  // (they are not all alike: several classes)
  assert.ok(new Set(one.cols[1]).size >= 4, `classes ${[...new Set(one.cols[1])].map((k) => TEARDOWNS[k]).join(' ')}`);
  const w = watched();
  try {
    // (this thread starts its share once the worker has finished a block: the worker surely takes part)
    const two = verdicts(m, w.wrap, () => until(() => (w.run()?.workerBlocks() ?? 0) > 0));
    assert.ok(w.run(), 'the worker was given the run (everything it reads is in shared memory)');
    // (the worker may have finished them all while this thread waited)
    assert.ok(two.share.byWorker > 0 && two.share.byWorker <= two.share.blocks, `worker ${two.share.byWorker} of ${two.share.blocks} blocks`);
    assert.equal(two.share.redone, 0);
    COLUMNS.forEach((c, k) => assert.deepEqual(two.cols[k], one.cols[k], c));
  } finally {
    w.thread.stop();
  }
});

test('log-only verdicts: a worker ended in the middle leaves its unfinished blocks to this thread', async (t) => {
  const m = await matched(t);
  const one = verdicts(m);
  const w = watched();
  const two = verdicts(m, w.wrap, () => {
    until(() => (w.run()?.workerBlocks() ?? 0) > 0);
    w.thread.stop();
  });
  assert.ok(two.share.byWorker > 0, `worker ${two.share.byWorker} of ${two.share.blocks} blocks`);
  COLUMNS.forEach((c, k) => assert.deepEqual(two.cols[k], one.cols[k], c));
});

test('log-only rows: the worker\'s blocks write the rows one thread writes', async (t) => {
  const one = await matched(t);
  const w = watched(true);
  try {
    const two = await matched(t, w.wrap);
    assert.ok(w.run(), 'the worker was given the rows');
    assert.equal(two.corr.logOnly, one.corr.logOnly);
    const { blocks, byWorker, redone } = two.corr.rowsShare;
    assert.ok(blocks > 4 && byWorker > 0 && redone === 0, `worker ${byWorker} of ${blocks} blocks, ${redone} redone`);
    ROWS.forEach((c, k) => assert.deepEqual(two.rows[k], one.rows[k], c));
  } finally {
    w.thread.stop();
  }
});
