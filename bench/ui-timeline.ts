/**
 * Timeline benchmark (issue 17): key press -> repaint inside the timeline of ONE long connection,
 * the real binary in tmux at 80x24 (bench/ui.ts opens timelines of short connections only).
 *
 *   node dist/bench/ui-timeline.js                          # 100 k data packets, this build
 *   node dist/bench/ui-timeline.js --packets 20000 --bin /tmp/base/bin/rsttui.js,bin/rsttui.js
 *
 * The capture (bench/out/ui-long-N.pcap): a handshake, N data segments the client sends and the
 * server acknowledges, then the seed's teardown (server FIN, client FIN and RST, server RST). Per
 * binary: Enter on the connection until the timeline shows, `j` (paced like a person and back to
 * back), `n`/`N` (anomaly jumps), `G`/`g`, PgDn, and the layout key `w` where the build has it.
 * Several binaries (e.g. a build of the previous commit and this one) run one after the other on
 * the same capture, and the table gives each one's figures beside the first one's as ratios.
 * Figures are from the control-mode driver (see ui-tmux.ts): close to the true latency.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { generateLongConn } from './ui-gen.js';
import { ControlDriver, SESSION, isList, isTimeline, killSession, now, press, selected, settle, sleep, spawnDriver, stats, timing, tmux, type Stats } from './ui-tmux.js';
import { OUT, ROOT } from './paths.js';


const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '100000' },
    bin: { type: 'string', default: join(ROOT, 'bin', 'rsttui.js') },
    presses: { type: 'string', default: '30' },
    gap: { type: 'string', default: '120' },
  },
});
const N = Number(values.packets);
const PRESSES = Number(values.presses);
const GAP = Number(values.gap);
const BINS = values.bin.split(',').map((b) => resolve(b.trim()));
timing.keyTimeout = 20_000;
timing.poll = 2;
const log = (s: string): void => void process.stderr.write(s + '\n');

async function runOne(bin: string, path: string, hasLayoutKey: boolean): Promise<Record<string, Stats>> {
  const keys: Record<string, Stats> = {};
  killSession();
  let ctl: ControlDriver | undefined;
  try {
    if (!tmux(['new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', `env -u CI node ${bin} ${path}`, ';', 'set-option', '-t', SESSION, 'remain-on-exit', 'on']).ok) throw new Error('tmux new-session failed');
    const t0 = now();
    for (;;) {
      const s = (await spawnDriver.capture()) ?? '';
      if (/1\/1 shown/.test(s)) break;
      if (now() - t0 > 300_000) throw new Error('not loaded:\n' + s);
      await sleep(100);
    }
    await settle(spawnDriver);
    ctl = await ControlDriver.open();
    const d = ctl;
    const opens: number[] = [];
    const backs: number[] = [];
    for (let i = 0; i < 3; i++) {
      opens.push((await press(d, 'Enter', false, isTimeline)).ms);
      await sleep(GAP);
      if (i < 2) {
        backs.push((await press(d, 'Escape', false, isList)).ms);
        await sleep(GAP);
      }
    }
    keys['Enter (open the timeline)'] = stats(opens);
    keys['Esc (back to the list)'] = stats(backs);
    const series = async (label: string, key: string, n: number, gap: number): Promise<void> => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        if (gap) await sleep(gap);
        const before = selected((await d.capture()) ?? '');
        xs.push((await press(d, key, true, (s) => selected(s) !== '' && selected(s) !== before)).ms);
      }
      keys[label] = stats(xs);
    };
    await press(d, 'g', true, (s) => /row 1\//.test(s));
    await series(`j (${GAP} ms apart)`, 'j', PRESSES, GAP);
    await series('j (back to back)', 'j', PRESSES, 0);
    await series('n (next anomaly)', 'n', 10, GAP);
    await series('N (previous anomaly)', 'N', 10, GAP);
    const ends: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(GAP);
      ends.push((await press(d, 'G', true, (s) => /row (\d+)\/\1\b/.test(s))).ms);
      await sleep(GAP);
      ends.push((await press(d, 'g', true, (s) => /row 1\//.test(s))).ms);
    }
    keys['G / g (last / first row)'] = stats(ends);
    const pg: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(GAP);
      const before = selected((await d.capture()) ?? '');
      pg.push((await press(d, 'PageDown', false, (s) => selected(s) !== before)).ms);
    }
    keys['PgDn'] = stats(pg);
    if (hasLayoutKey) {
      const ws: number[] = [];
      for (let i = 0; i < 10; i++) {
        await sleep(GAP);
        const two = i % 2 === 0;
        // two lines a row: the column titles name the ends (`client 10.0.0.1:40000`)
        ws.push((await press(d, 'w', true, (s) => /^ +client \S+:\d+/m.test(s) === two)).ms);
      }
      keys['w (layout toggle)'] = stats(ws);
    }
    await d.send('q', true);
  } finally {
    ctl?.close();
    killSession();
  }
  return keys;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `ui-long-${N}.pcap`);
  if (!existsSync(path)) log(`generated ${path}: ${generateLongConn(path, N)} packets`);
  const runs: { bin: string; keys: Record<string, Stats> }[] = [];
  for (const bin of BINS) {
    // the layout key exists where the build's key table has it
    const keysJs = join(dirname(bin), '..', 'dist', 'src', 'ui', 'keys.js');
    const { KEYS } = (await import(keysJs)) as { KEYS: { action: string }[] };
    const has = KEYS.some((k) => k.action === 'layout');
    log(`${bin}: ${N} data segments, 80x24${has ? '' : ' (no layout key)'}`);
    runs.push({ bin, keys: await runOne(bin, path, has) });
  }
  const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
  const labels = [...new Set(runs.flatMap((r) => Object.keys(r.keys)))];
  const head = ['key -> repaint, ms: median / p90', ...runs.map((r, k) => (k === 0 ? r.bin : `${r.bin} (ratio of medians)`))];
  const rows = labels.map((l) => [l, ...runs.map((r, k) => {
    const s = r.keys[l];
    if (!s) return '';
    const base = runs[0]!.keys[l];
    const ratio = k > 0 && base ? ` (${(s.median / base.median).toFixed(2)})` : '';
    return `${f1(s.median)} / ${f1(s.p90)}${ratio}`;
  })]);
  const w = head.map((_, c) => Math.max(...[head, ...rows].map((r) => (r[c] ?? '').length)));
  process.stdout.write([head, ...rows].map((r) => r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  ')).join('\n') + '\n');
}

await main();
