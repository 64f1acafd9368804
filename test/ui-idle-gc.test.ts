/**
 * The UI's collections between keys (src/ui/idle-gc.ts), on a simulated heap and clock: a pause
 * collects once the heap has grown enough; keys that never pause still get a collection soon
 * after a key once it has grown a lot; otherwise none.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { idleCollector } from '../src/ui/idle-gc.js';

const MB = 1 << 20;

function setup() {
  let heap = 40 * MB;
  const collected: number[] = [];
  const key = idleCollector({
    pauseMs: 500, pauseGrowth: 16 * MB, afterKeyMs: 30, growth: 32 * MB,
    used: () => heap,
    collect: () => { collected.push(heap); heap = 40 * MB; },
  });
  return { key, collected, grow: (mb: number) => (heap += mb * MB) };
}

test('a pause in the keys collects once the heap has grown by the pause threshold, not before', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const s = setup();
  s.key(); // (the first key: what is in use now is the baseline, however large)
  t.mock.timers.tick(500);
  assert.equal(s.collected.length, 0, 'the first pause does not collect: nothing has grown');
  s.grow(20);
  s.key();
  t.mock.timers.tick(500);
  assert.equal(s.collected.length, 1, 'grown 20 MB and paused: collected');
  s.grow(10);
  s.key();
  t.mock.timers.tick(499);
  s.key(); // keys reset the wait
  t.mock.timers.tick(499);
  t.mock.timers.tick(1);
  assert.equal(s.collected.length, 1, 'grown 10 MB: no collection');
  s.grow(10);
  s.key();
  t.mock.timers.tick(499);
  assert.equal(s.collected.length, 1, 'not before the pause is over');
  t.mock.timers.tick(1);
  assert.equal(s.collected.length, 2, 'grown 20 MB and paused: collected');
});

test('keys that never pause: a collection soon after a key once the heap has grown a lot', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const s = setup();
  s.grow(20);
  s.key();
  t.mock.timers.tick(500);
  assert.equal(s.collected.length, 0, 'the first key takes what is in use as the baseline');
  s.grow(20);
  s.key();
  t.mock.timers.tick(500);
  assert.equal(s.collected.length, 1);
  // a key every 100 ms for 10 s, the heap growing 2 MB a key
  let at = -1;
  for (let k = 0; k < 100; k++) {
    s.grow(2);
    s.key();
    t.mock.timers.tick(100);
    if (at < 0 && (s.collected.length as number) === 2) at = k;
  }
  assert.ok(s.collected.length >= 2, 'collected while the keys went on');
  assert.ok(s.collected[1]! >= 40 * MB + 32 * MB, 'only once grown by 32 MB');
  assert.ok(s.collected.slice(1).every((h) => h <= 40 * MB + 34 * MB), `never let grow much further: ${s.collected.map((h) => h / MB)}`);
  assert.equal(at, 15, 'the key after the heap passed +32 MB');
});
