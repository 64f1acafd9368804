/**
 * FwTable.append gives a chunk's addresses their ids in the order they are met (event by event,
 * slot by slot), though it looks the IPv4 ones up a block at a time (their index slots read
 * ahead, AddrTable.warmV4) and an IPv6 one alone: ids are handed out in that order everywhere else.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestInputs } from '../src/flows/ingest.js';

test('addresses get ids in the order met, IPv6 ones among more IPv4 ones than a block', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-append-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  for (let k = 0; k < 1500; k++) {
    const client = k % 7 === 3 ? `2001:db8::${(k + 1).toString(16)}` : `10.${(k >> 8) & 255}.${k & 255}.${1 + (k % 200)}`;
    const server = k % 11 === 5 ? `2001:db8:1::${(k % 40).toString(16)}` : `192.0.2.${k % 90}`;
    const mapped = client.includes(':') ? client : `198.51.100.${k % 250}`;
    const s = String(k % 60).padStart(2, '0');
    lines.push(`Jun 20 2018 00:01:${s}: %ASA-6-302013: Built outbound TCP connection ${1000 + k} for outside:${server}/443 (${server}/443) to inside:${client}/${20000 + k} (${mapped}/${20000 + k})`);
  }
  const path = join(dir, 'asa.log');
  writeFileSync(path, lines.join('\n') + '\n');
  const ing = await ingestInputs([path], { year: 2018, worker: 'never' });
  assert.equal(ing.fw.count, lines.length);
  let next = 0, v6 = 0, v4 = 0;
  ing.fw.forEach((e) => {
    for (let slot = 0; slot < 4; slot++) {
      const id = ing.fw.addr(e, slot);
      if (id < 0) continue;
      if (id === next) {
        next++;
        if (ing.addrs.family(id) === 6) v6++;
        else v4++;
      } else assert.ok(id < next, `event ${e} slot ${slot}: id ${id}, the next new one is ${next}`);
    }
  });
  assert.equal(next, ing.addrs.count, 'every id was met in order');
  assert.ok(v4 > 512 && v6 > 100, `${v4} IPv4 and ${v6} IPv6 addresses`);
  // the texts read back as written: the first line's ends
  const e0 = 0;
  assert.equal(ing.addrs.text(ing.fw.addr(e0, 0)), '192.0.2.0');
});
