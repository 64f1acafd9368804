/**
 * UI benchmark (issue 6, "Performance"): the real binary in a real terminal (tmux), driven by
 * `tmux send-keys` and watched by polling `tmux capture-pane`. Not a test: it asserts nothing and
 * prints figures.
 *
 *   node dist/bench/ui.js                       # 100 k and 1 M connections
 *   node dist/bench/ui.js --conns 1000000       # one size (comma list allowed)
 *   node dist/bench/ui.js --cpu-prof            # also write a V8 CPU profile of the UI process
 *
 * Per size: load time (to the status line showing every connection) and the UI process's peak
 * RSS (VmHWM); key press -> repaint for `j` (with a human-like pause between presses, and
 * back-to-back); typing two structured filters one character at a time (fast, and with pauses
 * longer than the fuzzy-search debounce); Enter on a connection (timeline) and Esc back; quit.
 *
 * Two drivers measure the same thing:
 *  - "spawn": one `tmux` process per send-keys and per capture-pane, as asked by the issue. Each
 *    spawn costs a few ms, so the figures include that polling overhead; it is measured
 *    (capture-pane on an idle screen, and a no-op tmux command as the cost of send-keys) and
 *    printed beside the figures so the reader can subtract it.
 *  - "control": one persistent `tmux -C` client; commands and answers go over its pipe
 *    (round trip well under a ms), so its figures are close to the true latency.
 * Every wait has a timeout, and the tmux session is killed in a finally.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateShortConns } from './ui-gen.js';
import { BIN, OUT } from './paths.js';
import {
  ControlDriver, SESSION, counts, filterBar, isList, isTimeline, killSession, nodePid, now, press, procStatus,
  selected, settle, sleep, spawnDriver, stats, timing, tmux, type Driver, type Stats,
} from './ui-tmux.js';

const COLS = 100;
const ROWS = 30;

const { values } = parseArgs({
  options: {
    conns: { type: 'string', default: '100000,1000000' },
    presses: { type: 'string', default: '50' },
    /** pause between `j` presses in the paced series (a person presses a key every 100+ ms) */
    gap: { type: 'string', default: '120' },
    /**
     * pauses between typed filter characters, control driver: 100 ms is a fast typist (and more
     * than Ink's 34 ms render throttle, less than the 150 ms fuzzy debounce), 0 types the next key
     * as soon as the last one shows (so every render waits out the throttle), 250 ms is slower
     * than the debounce (the fuzzy search runs on word prefixes)
     */
    'type-gaps': { type: 'string', default: '100,0,250' },
    /** pause between typed filter characters, spawn driver */
    'spawn-type-gap': { type: 'string', default: '100' },
    /** sleep between two capture-pane polls */
    poll: { type: 'string', default: '2' },
    'load-timeout': { type: 'string', default: '900' },
    'key-timeout': { type: 'string', default: '20' },
    'cpu-prof': { type: 'boolean', default: false },
    /** extra environment for the UI process, e.g. NODE_ENV=production (space-separated) */
    env: { type: 'string', default: '' },
    filters: { type: 'string', default: 'anomaly == late-rst;ip.addr == 10.0.0.0/8' },
    verbose: { type: 'boolean', default: false },
  },
});
const PRESSES = Number(values.presses);
const GAP = Number(values.gap);
const TYPE_GAPS = values['type-gaps'].split(',').filter((x) => x.trim() !== '').map(Number);
const SPAWN_TYPE_GAP = Number(values['spawn-type-gap']);
/** a series gives up after this many timed-out keys (a frozen UI must not cost 50 x the timeout) */
const MAX_TIMEOUTS = 3;
const POLL = Number(values.poll);
const LOAD_TIMEOUT = Number(values['load-timeout']) * 1000;
const KEY_TIMEOUT = Number(values['key-timeout']) * 1000;
timing.keyTimeout = KEY_TIMEOUT;
timing.poll = POLL;
const FILTERS = values.filters.split(';').filter((f) => f.trim() !== '');
const log = (s: string): void => void process.stderr.write(s + '\n');
const vlog = (s: string): void => { if (values.verbose) log(s); };


// ---------------------------------------------------------------- one run

interface Result {
  conns: number;
  packets: number;
  fileMB: number;
  firstScreenMs: number;
  loadMs: number;
  total: number;
  hwmLoadMB: number;
  rssLoadMB: number;
  hwmEndMB: number;
  overhead: Record<string, Stats>;
  keys: Record<string, Stats>;
  notes: string[];
  /** RSS after each phase */
  memory: string[];
  profile?: string;
}

async function ensureCapture(conns: number): Promise<{ path: string; packets: number }> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `ui-${conns}.pcap`);
  const meta = path + '.json';
  if (!existsSync(path) || !existsSync(meta)) {
    const t0 = now();
    const r = generateShortConns(path, conns);
    writeFileSync(meta, JSON.stringify(r));
    log(`generated ${path}: ${r.connections} connections, ${r.packets} packets, ${(r.bytes / 1e6).toFixed(0)} MB in ${((now() - t0) / 1000).toFixed(1)} s`);
  }
  const r = JSON.parse(readFileSync(meta, 'utf8')) as { packets: number };
  return { path, packets: r.packets };
}

/** type `expr` one character at a time; per-key times, and the last key's time to the narrowed list */
async function typeFilter(d: Driver, expr: string, gap: number, res: Result, label: string, phase: (l: string) => void): Promise<void> {
  const before = (await d.capture()) ?? '';
  const total = counts(before)?.total ?? -1;
  const open = await press(d, '/', true, (s) => filterBar(s) !== undefined);
  res.keys[`${label}: open filter bar (/)`] = stats([open.ms]);
  const per: number[] = [];
  let narrowedAt = NaN;
  let lastShown = total;
  for (let i = 0; i < expr.length; i++) {
    if (gap > 0) await sleep(gap);
    const want = '/ ' + expr.slice(0, i + 1);
    const last = i === expr.length - 1;
    const r = await press(d, expr[i]!, true, (s) => {
      const bar = filterBar(s);
      if (bar === undefined || !bar.startsWith(want)) return false;
      if (!last) return true;
      const c = counts(s);
      return c !== undefined && c.shown !== total && !/searching/.test(bar);
    });
    per.push(r.ms);
    if (per.filter((x) => Number.isNaN(x)).length >= MAX_TIMEOUTS) {
      res.notes.push(`${label}: gave up after ${MAX_TIMEOUTS} keys timed out (${KEY_TIMEOUT / 1000} s each), at ${JSON.stringify(expr.slice(0, i + 1))}`);
      break;
    }
    const c = counts(r.screen);
    if (c && c.shown !== lastShown && Number.isNaN(narrowedAt)) narrowedAt = i;
    lastShown = c?.shown ?? lastShown;
    vlog(`  ${d.name} ${label} ${JSON.stringify(expr.slice(0, i + 1))}: ${r.ms.toFixed(1)} ms, shown ${c?.shown}`);
  }
  res.keys[`${label}: per keystroke`] = stats(per);
  res.keys[`${label}: last keystroke -> narrowed list`] = stats([per[per.length - 1]!]);
  const slow = per.map((ms, i) => ({ ms, ch: expr.slice(0, i + 1) })).filter((x) => !(x.ms < 50));
  if (slow.length) res.notes.push(`${label}: keys >= 50 ms: ${slow.map((x) => `${JSON.stringify(x.ch)} ${Number.isFinite(x.ms) ? x.ms.toFixed(0) : 'timeout'}`).join(', ')}`);
  // apply: back to the list with the filter in force
  const acc = await press(d, 'Enter', false, (s) => filterBar(s) === undefined && isList(s), Math.max(KEY_TIMEOUT, 60_000));
  res.keys[`${label}: Enter (apply)`] = stats([acc.ms]);
  const c = counts(acc.screen);
  res.notes.push(`${label}: ${c?.shown}/${c?.total} shown (first narrowed at ${JSON.stringify(expr.slice(0, narrowedAt + 1))})`);
  phase(label);
}

async function runOne(conns: number): Promise<Result> {
  const { path, packets } = await ensureCapture(conns);
  const res: Result = {
    conns, packets, fileMB: 0, firstScreenMs: NaN, loadMs: NaN, total: 0, hwmLoadMB: NaN, rssLoadMB: NaN, hwmEndMB: NaN,
    overhead: {}, keys: {}, notes: [], memory: [],
  };
  try {
    res.fileMB = Number(spawnSync('stat', ['-c', '%s', path], { encoding: 'utf8' }).stdout) / 1e6;
  } catch {
    /* only for the table */
  }
  killSession();
  const profDir = join(OUT, `prof-${conns}`);
  const prof = values['cpu-prof'] ? `--cpu-prof --cpu-prof-dir=${profDir} ` : '';
  const extra = values.env.trim() ? values.env.trim() + ' ' : '';
  const cmd = `env -u CI ${extra}node ${prof}${BIN} ${path}`;
  let ctl: ControlDriver | undefined;
  try {
    const t0 = now();
    if (!tmux(['new-session', '-d', '-s', SESSION, '-x', String(COLS), '-y', String(ROWS), cmd, ';', 'set-option', '-t', SESSION, 'remain-on-exit', 'on']).ok) {
      throw new Error('tmux new-session failed');
    }
    let pid: number | undefined;
    while (pid === undefined && now() - t0 < 5000) {
      const pp = Number(tmux(['list-panes', '-t', SESSION, '-F', '#{pane_pid}']).out.trim());
      if (pp > 0) pid = nodePid(pp);
      if (pid === undefined) await sleep(10);
    }
    if (pid === undefined) throw new Error('no node process under the tmux pane');

    // load: poll (100 ms: each poll is a process spawn that competes with the loader) until the status line counts every connection
    let screen = '';
    let peakRss = 0;
    for (;;) {
      screen = (await spawnDriver.capture()) ?? '';
      const t = now() - t0;
      if (Number.isNaN(res.firstScreenMs) && screen.trim() !== '') res.firstScreenMs = t;
      peakRss = Math.max(peakRss, procStatus(pid).rssKB || 0);
      const c = counts(screen);
      if (c && c.total > 0 && c.shown === c.total) {
        res.loadMs = t;
        res.total = c.total;
        break;
      }
      if (tmux(['display', '-p', '-t', SESSION, '#{pane_dead}']).out.trim() === '1') throw new Error(`rsttui exited while loading:\n${screen}`);
      if (t > LOAD_TIMEOUT) throw new Error(`not loaded after ${LOAD_TIMEOUT / 1000} s:\n${screen}`);
      await sleep(100);
    }
    log(`  ${conns}: loaded ${res.total} connections in ${(res.loadMs / 1000).toFixed(1)} s`);
    screen = await settle(spawnDriver);
    const st = procStatus(pid);
    res.hwmLoadMB = st.hwmKB / 1024;
    res.rssLoadMB = st.rssKB / 1024;
    vlog(screen);

    // polling overhead on an idle screen
    const idleCap: number[] = [];
    const idleCmd: number[] = [];
    for (let i = 0; i < 30; i++) {
      let t = now();
      await spawnDriver.capture();
      idleCap.push(now() - t);
      t = now();
      tmux(['display', '-p', '-t', SESSION, '#{pane_id}']);
      idleCmd.push(now() - t);
    }
    res.overhead['spawn: capture-pane (idle screen)'] = stats(idleCap);
    res.overhead['spawn: no-op tmux command (~send-keys cost)'] = stats(idleCmd);
    // memory after each phase, to see which one grows it
    const phase = (label: string): void => {
      const m = procStatus(pid!);
      res.memory.push(`${label}: RSS ${(m.rssKB / 1024).toFixed(0)} MB, peak ${(m.hwmKB / 1024).toFixed(0)} MB`);
    };
    phase('after load');
    ctl = await ControlDriver.open();
    const ctlCap: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = now();
      await ctl.capture();
      ctlCap.push(now() - t);
    }
    res.overhead['control: capture-pane round trip'] = stats(ctlCap);

    // j: paced and back-to-back; the selected row (`>`) must move
    const jSeries = async (d: Driver, n: number, gap: number, label: string, first = false): Promise<void> => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        if (gap > 0) await sleep(gap);
        const before = selected((await d.capture()) ?? '');
        const r = await press(d, 'j', true, (s) => {
          const sel = selected(s);
          return sel !== '' && sel !== before;
        });
        xs.push(r.ms);
        vlog(`  ${label} #${i + 1}: ${r.ms.toFixed(1)} ms`);
        if (i === 0 && first) res.keys['first j after load (included below)'] = stats([r.ms]);
        if (xs.filter((x) => Number.isNaN(x)).length >= MAX_TIMEOUTS) {
          res.notes.push(`${label}: gave up after ${MAX_TIMEOUTS} keys timed out (${KEY_TIMEOUT / 1000} s each), ${i + 1} of ${n} pressed`);
          break;
        }
      }
      res.keys[label] = stats(xs);
      phase(label);
    };
    await jSeries(spawnDriver, PRESSES, GAP, `j (${GAP} ms apart), spawn`, true);
    await jSeries(ctl, PRESSES, GAP, `j (${GAP} ms apart), control`);
    await jSeries(spawnDriver, 20, 0, 'j (back to back), spawn');
    await jSeries(ctl, 20, 0, 'j (back to back), control');
    await press(spawnDriver, 'g', true, (s) => selected(s).startsWith('2:'));

    // Esc on the list clears the filter (between two typed filters)
    const clears: number[] = [];
    const clear = async (): Promise<void> => {
      const r = await press(spawnDriver, 'Escape', false, (s) => { const c = counts(s); return c !== undefined && c.shown === c.total && /filter: none/.test(s); }, Math.max(KEY_TIMEOUT, 60_000));
      clears.push(r.ms);
      await settle(spawnDriver, 200);
    };
    // open/back: Enter on a connection -> timeline, Esc -> list (the list as it is: no filter)
    const openBack = async (label: string): Promise<void> => {
      const opens: number[] = [];
      const backs: number[] = [];
      for (let i = 0; i < 5; i++) {
        await sleep(GAP);
        opens.push((await press(spawnDriver, 'Enter', false, isTimeline)).ms);
        await sleep(GAP);
        backs.push((await press(spawnDriver, 'Escape', false, (s) => isList(s) && selected(s) !== '')).ms);
        await sleep(GAP);
        await press(spawnDriver, 'j', true, () => true);
      }
      res.keys[`Enter (open timeline) ${label}, spawn`] = stats(opens);
      res.keys[`Esc (back to list) ${label}, spawn`] = stats(backs);
      phase(`open/back ${label}`);
    };
    await openBack('on the full list');
    for (const f of FILTERS) {
      for (const gap of TYPE_GAPS) {
        await clear();
        await typeFilter(ctl, f, gap, res, `"${f}" ${gap} ms apart, control`, phase);
      }
      await clear();
      await typeFilter(spawnDriver, f, SPAWN_TYPE_GAP, res, `"${f}" ${SPAWN_TYPE_GAP} ms apart, spawn`, phase);
    }
    await openBack('on the filtered list');
    res.keys['Esc (clear filter), spawn'] = stats(clears);
    res.hwmEndMB = procStatus(pid).hwmKB / 1024;
    res.notes.push(`RSS sampled during load peaked at ${(peakRss / 1024).toFixed(0)} MB`);

    // quit
    const tq = now();
    await spawnDriver.send('q', true);
    let dead = false;
    while (now() - tq < 30_000) {
      const r = tmux(['display', '-p', '-t', SESSION, '#{pane_dead}']);
      if (!r.ok || r.out.trim() === '1') {
        dead = true;
        break;
      }
      await sleep(10);
    }
    res.keys['q (process exit)'] = stats([dead ? now() - tq : NaN]);
    if (values['cpu-prof']) {
      await sleep(500);
      const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
      if (files.length) res.profile = join(profDir, files[files.length - 1]!);
    }
  } catch (e) {
    res.notes.push(`ERROR: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    ctl?.close();
    killSession();
  }
  return res;
}

// ---------------------------------------------------------------- report

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
function statCell(s: Stats | undefined): string {
  if (!s) return '';
  const to = s.timeouts ? ` (${s.timeouts} timeout)` : '';
  if (s.n <= 1) return `${f1(s.median)}${to}`;
  return `${f1(s.median)} / ${f1(s.p90)} / ${f1(s.max)}${to}`;
}

function table(rs: Result[]): string {
  const head = ['', ...rs.map((r) => `${r.total || r.conns} conns`)];
  const rows: string[][] = [
    ['capture', ...rs.map((r) => `${r.packets} pkts, ${r.fileMB.toFixed(0)} MB`)],
    ['first screen (ms)', ...rs.map((r) => f1(r.firstScreenMs))],
    ['load, to all rows shown (s)', ...rs.map((r) => f1(r.loadMs / 1000))],
    ['peak RSS after load, VmHWM (MB)', ...rs.map((r) => f1(r.hwmLoadMB))],
    ['RSS after load (MB)', ...rs.map((r) => f1(r.rssLoadMB))],
    ['peak RSS at the end (MB)', ...rs.map((r) => f1(r.hwmEndMB))],
    ['-- polling overhead, ms: median / p90 / max', ...rs.map(() => '')],
  ];
  const oKeys = [...new Set(rs.flatMap((r) => Object.keys(r.overhead)))];
  for (const k of oKeys) rows.push([k, ...rs.map((r) => statCell(r.overhead[k]))]);
  rows.push(['-- key -> repaint, ms: median / p90 / max', ...rs.map(() => '')]);
  const kKeys = [...new Set(rs.flatMap((r) => Object.keys(r.keys)))];
  for (const k of kKeys) rows.push([k, ...rs.map((r) => statCell(r.keys[k]))]);
  const w = head.map((_, c) => Math.max(...[head, ...rows].map((r) => (r[c] ?? '').length)));
  const fmt = (r: string[]): string => r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const sizes = values.conns.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  log(`ui bench: ${sizes.join(', ')} connections; terminal ${COLS}x${ROWS}; loadavg ${load}${values.env ? '; env ' + values.env : ''}`);
  // a hung run must not outlive the bench
  const watchdog = setTimeout(() => {
    log('ui bench: watchdog: giving up after 45 min');
    killSession();
    process.exit(3);
  }, 45 * 60_000);
  watchdog.unref();
  const rs: Result[] = [];
  for (const n of sizes) {
    try {
      rs.push(await runOne(n));
      writeFileSync(join(OUT, 'ui-results.partial.json'), JSON.stringify(rs, null, 1));
    } catch (e) {
      log(`ui bench: ${n} connections: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  }
  const loadEnd = readFileSync('/proc/loadavg', 'utf8').trim();
  process.stdout.write(`\n${table(rs)}\n\n`);
  for (const r of rs) {
    for (const n of r.notes) process.stdout.write(`${r.conns}: ${n}\n`);
    for (const n of r.memory) process.stdout.write(`${r.conns}: memory ${n}\n`);
    if (r.profile) process.stdout.write(`${r.conns}: CPU profile ${r.profile}\n`);
  }
  process.stdout.write(`\nspawn figures include the polling overhead above (one capture-pane per poll, ${POLL} ms apart, plus the send-keys spawn); control figures are close to the true latency.\n`);
  process.stdout.write(`UI process: env -u CI ${values.env} node ${BIN} FILE\n`);
  process.stdout.write(`loadavg at start ${load}, at end ${loadEnd} (2 shared cores)\n`);
  writeFileSync(join(OUT, 'ui-results.json'), JSON.stringify({ load, loadEnd, results: rs }, null, 1));
}

await main();
