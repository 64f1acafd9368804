/**
 * Zeek's connection lifetimes and roles (flows/zeek-lifetime.ts, analysis/zeek.ts zeekOriginator):
 * the rows of fixtures/tcp (real stack) and fixtures/zeek (hand-written listings) against the
 * "Expect" lines of their READMEs, which argue each row from Zeek's source: originator, split and
 * related ids here (conn_state and history: analysis-zeek.test.ts for fixtures/tcp, here for zeek/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fixture } from './helpers.js';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { CONN_STATES } from '../src/model.js';
import { zeekHeader, zeekRow } from '../src/export/zeek.js';

interface Expect { orig?: string; state?: string; history?: string; split: string | null; related: number[] }

/** The expected rows of each file a README's "Expect:" lines name, in order. */
function expectations(readme: string, ext: string): Map<string, Expect[]> {
  const states = new Set<string>(CONN_STATES);
  const out = new Map<string, Expect[]>();
  for (const line of readFileSync(readme, 'utf8').split('\n')) {
    const name = new RegExp('`([\\w.-]+\\.' + ext + ')`').exec(line)?.[1];
    const exp = /Expect: (.*)$/.exec(line)?.[1];
    if (!name || !exp || !/split |originator /.test(exp)) continue;
    const parts = exp.split(/;\s*(?:first|second|third):|\bfirst:/).filter((x) => /history /.test(x));
    out.set(name, parts.map((p) => ({
      orig: /(\d+\.\d+\.\d+\.\d+:\d+)/.exec(p)?.[1],
      state: p.split(/[^A-Za-z0-9]+/).find((w) => states.has(w)),
      history: /history (\^?[A-Za-z^]+)/.exec(p)?.[1],
      split: /split (\w+)/.exec(p)?.[1]?.replace(/^none$/, '') || null,
      related: /related \[([\d, ]*)\]/.exec(p)?.[1]?.split(/,\s*/).filter((x) => x !== '').map(Number) ?? [],
    })));
  }
  return out;
}

async function rows(path: string): Promise<FlowRecord[]> {
  const ds = await loadDataset([path]);
  return Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
}

for (const [dir, ext] of [['tcp', 'pcap'], ['zeek', 'txt']] as const) {
  const readme = fixture(`${dir}/README.md`);
  const all = expectations(readme, ext);
  test(`fixtures/${dir}: README argues the Zeek lifetime and role rows of ${all.size} files`, () => {
    assert.ok(all.size >= 4, `${readme}: ${[...all.keys()].join(', ')}`);
  });
  for (const [name, want] of all) {
    const path = fixture(`${dir}/${name}`);
    test(`fixtures/${dir}/${name}: originator, conn_state, history, split and related ids as Zeek's rules give`,
      { skip: existsSync(path) ? false : `${path} missing` }, async () => {
        const got = await rows(path);
        assert.equal(got.length, want.length, 'rows');
        got.forEach((r, k) => {
          const w = want[k]!;
          const at = `${name} row ${k + 1}`;
          if (w.orig) assert.equal(`${r.orig_h}:${r.orig_p}`, w.orig, `${at} originator`);
          if (w.state) assert.equal(r.conn_state, w.state, `${at} conn_state`);
          if (w.history) assert.equal(r.history, w.history, `${at} history`);
          assert.equal(r.split, w.split, `${at} split`);
          assert.deepEqual(r.related, w.related, `${at} related`);
        });
      });
  }
}

test('a split row and its predecessor name each other; the Zeek export keeps Zeek columns', async () => {
  const got = await rows(fixture('tcp/unanswered-long.pcap'));
  for (const r of got) for (const id of r.related) assert.ok(got[id - 1]!.related.includes(r.id), `${r.id} <-> ${id}`);
  // conn.log has no column for them: the Zeek format keeps Zeek's columns
  const fields = zeekHeader().split('\n').find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  assert.ok(!fields.includes('related') && !fields.includes('split'));
  for (const r of got) assert.equal(zeekRow(r).split('\t').length, fields.length);
});
