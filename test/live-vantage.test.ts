/**
 * Live capture on two interfaces of a router (root: network namespaces, nftables): each interface
 * is a vantage, and the same connection seen at both is one record naming both; a RST the router
 * drops between them (seen inside, never outside) makes that record dropped-between-vantages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, tool } from './helpers.js';
import { connectOnce, routedSkip, routedUp } from './live-net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = routedSkip();
const dumpcap = tool('dumpcap');

interface Rec { orig_p: number; resp_p: number; teardown: string; vantages: string[]; anomalies: string[] }

test('flows -i inside -i outside on a router: one record a connection, both vantages, the RST dropped between them', { skip: skip ?? (dumpcap.ok ? false : dumpcap.skip), timeout: 90_000 }, async () => {
  const r = await routedUp('v');
  const child = spawn('ip', ['netns', 'exec', r.router, process.execPath, BIN, 'flows', '-i', r.inside, '-i', r.outside, '-f', `tcp and host ${r.peerIp}`],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  const records = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  try {
    for (let k = 0; records().length === 0; k++) {
      assert.ok(k < 40, `no record after ${k} tries; stderr:\n${err}`);
      await connectOnce(r, 'graceful');
      await sleep(500);
    }
    await sleep(3000);
    const before = records().length;
    for (const how of ['graceful', 'abort', 'rejected'] as const) await connectOnce(r, how);
    for (const end = Date.now() + 30_000; records().length < before + 3;) {
      assert.ok(Date.now() < end, `timed out waiting for three records; stdout:\n${out}\nstderr:\n${err}`);
      await sleep(100);
    }
    await sleep(1000);
    const got = records().slice(before);
    assert.equal(got.length, 3, `one record a connection, not one an interface:\n${out}`);
    for (const g of got) assert.deepEqual(g.vantages, [r.inside, r.outside], 'seen at both interfaces');
    const by = new Map(got.map((g) => [g.resp_p === r.port + 1 ? 'rejected' : g.teardown, g]));
    assert.deepEqual([...by.keys()].sort(), ['abort', 'graceful', 'rejected'], out);
    for (const k of ['graceful', 'rejected']) assert.ok(!by.get(k)!.anomalies.includes('dropped-between-vantages'), `${k}: nothing lost between the interfaces`);
    // (the record is the inside's, which saw our RST; the router dropped it before the outside)
    assert.ok(by.get('abort')!.anomalies.includes('dropped-between-vantages'), `the RST dropped between inside and outside: ${JSON.stringify(by.get('abort'))}`);
    // every tuple once over the whole run (the warm-up's too)
    const tuples = records().map((g) => `${g.orig_p}>${g.resp_p}`);
    assert.equal(new Set(tuples).size, tuples.length, `a connection written twice:\n${out}`);
    child.kill('SIGINT');
    assert.equal(await exited, 0, err);
    assert.match(err, /^rsttui: capture on rin, rout \(dumpcap\): \d+ packets received, 0 dropped$/m);
  } finally {
    child.kill('SIGKILL');
    r.down();
  }
});
