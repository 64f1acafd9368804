/**
 * A short key storm in CI (the long one: `npm run fuzz -- --ui --n N`): every start screen over
 * the demo, a few fixtures, an empty dataset, a load in progress, one that ends mid-storm and
 * one that fails; nothing throws and the last frame is not empty. And the storm does see a
 * screen that throws.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { runStorms, storm } from '../fuzz/ui-storm.js';
import { Rng } from '../fuzz/rng.js';

test('a storm reports a screen that throws (a dataset that is not one)', async () => {
  const broken = { name: 'broken', load: () => async () => ({}) as never };
  const faults = await storm(broken, 'list', new Rng(1), 5, '/nonexistent');
  assert.equal(faults.length, 1);
  // (Ink's error overview, or, when the throw comes before any frame is drawn, an empty last frame: either is the storm seeing it)
  assert.match(faults[0]!, /the app shows an error|the last frame is empty/);
});

test('16 storms of 40 keys over every start screen and dataset: nothing throws', { timeout: 180_000 }, async () => {
  const r = await runStorms({ storms: 16, seed: 1, keys: 40 });
  assert.equal(r.keys, 16 * 40);
  assert.deepEqual(r.failures, []);
});
