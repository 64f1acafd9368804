/** Ink's text caches are bounded as its modules load (src/ui/ink-caches.ts, ink-cache-hook.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { boundInkCaches, CACHE_LIMIT } from '../src/ui/ink-caches.js';

const inkBuild = dirname(fileURLToPath(import.meta.resolve('ink')));
const files = ['measure-text.js', 'wrap-text.js'].map((f) => join(inkBuild, f));

test("the installed Ink's two caches have the shape the rewrite expects", () => {
  for (const f of files) {
    const r = boundInkCaches(pathToFileURL(f).href, readFileSync(f, 'utf8'));
    assert.ok(r.patched, `${f}: an Ink upgrade changed this module; check whether its cache is still unbounded`);
    assert.ok(r.source.includes(String(CACHE_LIMIT)));
  }
  // other modules and unknown shapes are left alone
  assert.equal(boundInkCaches('file:///x/ink/build/output.js', 'const cache = new Map();').patched, false);
  assert.equal(boundInkCaches(pathToFileURL(files[0]!).href, 'export default 1;').patched, false);
});

test('with the hook registered, Ink loads its caches bounded, and they keep working past the bound', () => {
  const hook = new URL('../src/ui/ink-cache-hook.js', import.meta.url).href;
  const [measure, wrap] = files.map((f) => pathToFileURL(f).href);
  const script = `import { register } from 'node:module';
    register(${JSON.stringify(hook)});
    const m = (await import(${JSON.stringify(measure)})).default;
    const w = (await import(${JSON.stringify(wrap)})).default;
    // many distinct texts: a leak would keep them all; the bound keeps at most ${CACHE_LIMIT}
    for (let i = 0; i < ${3 * CACHE_LIMIT}; i++) { m('row ' + i); w('row ' + i + ' and more text', 8, 'truncate'); }
    console.log(JSON.stringify({ measure: m.toString().includes('cache.clear()'), wrap: w.toString().includes('cacheEntries'), width: m('abc').width }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { measure: true, wrap: true, width: 3 });
});
