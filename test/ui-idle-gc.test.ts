/**
 * The UI's collections between keys (src/ui/idle-gc.ts), on a simulated heap and clock: a pause
 * collects once the heap has grown enough; keys that never pause still get a collection soon
 * after a key once it has grown a lot; otherwise none.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { idleCollector } from '../src/ui/idle-gc.js';

const MB = 1 << 20;

/** A collector on a simulated heap (40 MB live) and clock; `step`: the heap grows, a key, time passes. */
function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let heap = 40 * MB;
  const collected: number[] = [];
  const key = idleCollector({
    pauseMs: 500, pauseGrowth: 16 * MB, afterKeyMs: 30, growth: 32 * MB,
    used: () => heap,
    collect: () => { collected.push(heap); heap = 40 * MB; },
  });
  const step = (mb: number, ms: number): void => {
    heap += mb * MB;
    key();
    t.mock.timers.tick(ms);
  };
  return { collected, step };
}

test('a pause in the keys collects once the heap has grown by the pause threshold, not before', (t) => {
  const s = setup(t);
  s.step(0, 500); // (the first key: what is in use now is the baseline, however large)
  assert.equal(s.collected.length, 0, 'the first pause does not collect: nothing has grown');
  s.step(20, 500);
  assert.equal(s.collected.length, 1, 'grown 20 MB and paused: collected');
  s.step(10, 499);
  s.step(0, 499); // keys reset the wait
  s.step(0, 500);
  assert.equal(s.collected.length, 1, 'grown 10 MB: no collection');
  s.step(10, 499);
  assert.equal(s.collected.length, 1, 'not before the pause is over');
  s.step(0, 500);
  assert.equal(s.collected.length, 2, 'grown 20 MB and paused: collected');
});

test('keys that never pause: a collection soon after a key once the heap has grown a lot', (t) => {
  const s = setup(t);
  s.step(20, 500);
  assert.equal(s.collected.length, 0, 'the first key takes what is in use as the baseline');
  s.step(20, 500);
  assert.equal(s.collected.length, 1);
  // a key every 100 ms for 10 s, the heap growing 2 MB a key
  let at = -1;
  for (let k = 0; k < 100; k++) {
    s.step(2, 100);
    if (at < 0 && (s.collected.length as number) === 2) at = k;
  }
  assert.ok(s.collected.length >= 2, 'collected while the keys went on');
  assert.ok(s.collected[1]! >= 40 * MB + 32 * MB, 'only once grown by 32 MB');
  assert.ok(s.collected.slice(1).every((h) => h <= 40 * MB + 34 * MB), `never let grow much further: ${s.collected.map((h) => h / MB)}`);
  assert.equal(at, 15, 'the key after the heap passed +32 MB');
});
