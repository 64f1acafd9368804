/**
 * The README is the user's manual: it must carry every subcommand's usage line as --help prints it,
 * every filter field, and every teardown class and anomaly with the meaning the code uses.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMANDS } from '../src/cli/commands.js';
import { FIELD_HELP } from '../src/filter/index.js';
import { TEARDOWN_INFO, ANOMALY_INFO, IMPACT_INFO } from '../src/analysis/glossary.js';
import { ROOT, BIN } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('README carries every command usage line, and --help prints the same', () => {
  for (const c of COMMANDS) {
    assert.ok(readme.includes(c.usage), `README lacks: ${c.usage}`);
    const r = spawnSync('node', [BIN, c.name, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.ok(r.stdout.includes(`usage: ${c.usage}`), `${c.name} --help`);
    for (const [flag] of c.optionHelp) {
      const name = flag.split(',').pop()!.trim().split(' ')[0]!;
      assert.ok(readme.includes(name), `README lacks option ${name} of ${c.name}`);
    }
  }
  const g = spawnSync('node', [BIN, '--help'], { encoding: 'utf8' });
  for (const c of COMMANDS) assert.ok(g.stdout.includes(c.name));
});

test('README lists every filter field', () => {
  for (const f of FIELD_HELP) assert.ok(readme.includes(`\`${f.name}\``), `README lacks filter field ${f.name}`);
});

test('README glossary has every teardown class and anomaly with its meaning', () => {
  for (const [name, info] of [...Object.entries(TEARDOWN_INFO), ...Object.entries(ANOMALY_INFO)]) {
    assert.ok(readme.includes(`| \`${name}\` | ${info.meaning} | ${info.causes} |`), `README glossary: ${name}`);
  }
  for (const e of IMPACT_INFO) {
    assert.ok(readme.includes(`| ${e.fields.map((f) => `\`${f}\``).join(', ')} | ${e.meaning} | ${e.causes} |`), `README glossary: ${e.fields.join(', ')}`);
  }
});

test("README's install command and test command are the ones CI and users run", () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(readme, /```sh\nnpm test\n```/);
  assert.match(ci, /\nnpm test\n/);
  assert.match(readme, /```sh\nnpm ci && node bin\/rsttui\.js/);
});

test('README lists every key binding of the UI, as the help screen does', async () => {
  const { KEYS } = await import('../src/ui/keys.js');
  for (const b of KEYS) {
    const row = `| ${b.keys.map((k) => `\`${k}\``).join(' ')} | ${b.help} | ${b.on.join(', ')} |`;
    assert.ok(readme.includes(row), `README keys table lacks: ${row}`);
  }
  const { UI_COMMAND } = await import('../src/cli/commands.js');
  assert.ok(readme.includes(UI_COMMAND.usage), 'README lacks the UI usage line');
});

test('no merge conflict is left in the README or the sources', () => {
  const files = ['README.md', '.ci/run', 'package.json'];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|md|sh|py)$/.test(e.name)) files.push(p);
    }
  };
  for (const d of ['src', 'test', 'bench', 'fuzz', 'fixtures']) walk(d);
  const marked = files.filter((f) => /^(<{7} |={7}$|>{7} )/m.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(marked, []);
});
