/**
 * tmux plumbing for bench/ui.ts: two ways to send keys and read the screen (one tmux process per
 * command, or one persistent control-mode client), reading the rsttui screens, timing a key until
 * the screen shows its effect, and the UI process's memory from /proc.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** one session per bench process (two benches at once, e.g. ui.ts and ui-timeline.ts, must not share one) */
export const SESSION = process.env.RSTTUI_BENCH_SESSION || `rsttui-bench-${process.pid}`;

/** set by the bench from its options: the longest wait for one key, the sleep between polls */
export const timing = { keyTimeout: 20_000, poll: 2 };

export const now = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- tmux drivers

export function tmux(args: string[]): { out: string; ok: boolean } {
  const r = spawnSync('tmux', args, { encoding: 'utf8', timeout: 5000 });
  return { out: r.stdout ?? '', ok: r.status === 0 };
}

export interface Driver {
  name: string;
  /** send keys; `literal` sends the characters as typed (send-keys -l) */
  send(keys: string, literal: boolean): Promise<void>;
  capture(): Promise<string | undefined>;
}

export const spawnDriver: Driver = {
  name: 'spawn',
  async send(keys, literal) {
    tmux(['send-keys', '-t', SESSION, ...(literal ? ['-l', keys] : [keys])]);
  },
  async capture() {
    const r = tmux(['capture-pane', '-p', '-t', SESSION]);
    return r.ok ? r.out : undefined;
  },
};

/** tmux control mode: answers come back as `%begin … %end` blocks, in command order. */
export class ControlDriver implements Driver {
  name = 'control';
  private proc: ChildProcessWithoutNullStreams;
  private rest = '';
  private block: string[] | undefined;
  private ours = false;
  private waiting: { resolve: (r: { lines: string[]; ok: boolean }) => void }[] = [];
  private constructor() {
    this.proc = spawn('tmux', ['-C', 'attach', '-t', SESSION], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => this.onData(d));
    this.proc.on('exit', () => {
      for (const w of this.waiting.splice(0)) w.resolve({ lines: [], ok: false });
    });
  }
  static async open(): Promise<ControlDriver> {
    const c = new ControlDriver();
    const r = await c.cmd('display -p ok', 5000);
    if (!r.ok) throw new Error('tmux control mode did not answer');
    return c;
  }
  private onData(d: string): void {
    const parts = (this.rest + d).split('\n');
    this.rest = parts.pop() ?? '';
    for (const line of parts) {
      if (this.block === undefined) {
        const m = /^%begin \d+ \d+ (\d+)/.exec(line);
        if (m) {
          this.block = [];
          this.ours = m[1] === '1'; // flags 1: a command of this client (0: the attach itself)
        }
        continue; // notifications (%output, %session-changed …) are not needed
      }
      if (/^%(end|error) \d+ \d+ \d+/.test(line)) {
        const lines = this.block;
        this.block = undefined;
        if (this.ours) this.waiting.shift()?.resolve({ lines, ok: line.startsWith('%end') });
        continue;
      }
      this.block.push(line);
    }
  }
  cmd(c: string, timeout = timing.keyTimeout): Promise<{ lines: string[]; ok: boolean }> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve({ lines: [], ok: false }), timeout);
      this.waiting.push({ resolve: (r) => { clearTimeout(t); resolve(r); } });
      this.proc.stdin.write(c + '\n');
    });
  }
  async send(keys: string, literal: boolean): Promise<void> {
    const q = `'${keys.replace(/'/g, `'\\''`)}'`;
    await this.cmd(`send-keys -t ${SESSION} ${literal ? '-l ' : ''}${q}`);
  }
  async capture(): Promise<string | undefined> {
    const r = await this.cmd(`capture-pane -p -t ${SESSION}`);
    return r.ok ? r.lines.join('\n') + '\n' : undefined;
  }
  close(): void {
    try {
      this.proc.stdin.end();
    } catch {
      /* already gone */
    }
    this.proc.kill();
  }
}

// ---------------------------------------------------------------- screen reading

const COUNT_RE = /(\d+)\/(\d+) shown/;
export function counts(screen: string): { shown: number; total: number } | undefined {
  const m = COUNT_RE.exec(screen);
  return m ? { shown: Number(m[1]), total: Number(m[2]) } : undefined;
}
const lines = (s: string): string[] => s.split('\n');
/** the selected list row: index on screen and text (the `>` marker in column 0) */
export function selected(screen: string): string {
  const ls = lines(screen);
  const k = ls.findIndex((l) => l.startsWith('>'));
  return k < 0 ? '' : `${k}:${ls[k]}`;
}
export const filterBar = (screen: string): string | undefined => lines(screen).find((l) => l.startsWith('/ '));
export const isList = (s: string): boolean => / shown, sort /.test(s);
export const isTimeline = (s: string): boolean => /row \d+\/\d+/.test(s) && !isList(s);

// ---------------------------------------------------------------- measuring

export interface Timed {
  ms: number;
  screen: string;
}

/** press, then poll until `done(screen)`; NaN on timeout */
export async function press(d: Driver, keys: string, literal: boolean, done: (s: string) => boolean, timeout = timing.keyTimeout): Promise<Timed> {
  const t0 = now();
  await d.send(keys, literal);
  let last = '';
  for (;;) {
    const s = await d.capture();
    const t = now() - t0;
    if (s !== undefined) {
      last = s;
      if (done(s)) return { ms: t, screen: s };
    }
    if (t > timeout) {
      if (tmux(['display', '-p', '-t', SESSION, '#{pane_dead}']).out.trim() !== '0') throw new Error(`rsttui is gone (pane dead or session closed); last screen:\n${last}`);
      return { ms: NaN, screen: last };
    }
    if (timing.poll > 0) await sleep(timing.poll);
  }
}

/** wait until the screen has not changed for `quietMs` (bounded) */
export async function settle(d: Driver, quietMs = 300, timeout = 10_000): Promise<string> {
  const t0 = now();
  let prev = (await d.capture()) ?? '';
  let since = now();
  while (now() - t0 < timeout) {
    await sleep(25);
    const s = (await d.capture()) ?? '';
    if (s !== prev) {
      prev = s;
      since = now();
    } else if (now() - since >= quietMs) break;
  }
  return prev;
}

export interface Stats {
  n: number;
  median: number;
  p90: number;
  max: number;
  timeouts: number;
}
export function stats(xs: number[]): Stats {
  const ok = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const q = (p: number): number => (ok.length ? ok[Math.min(ok.length - 1, Math.ceil(p * ok.length) - 1)]! : NaN);
  return { n: ok.length, median: ok.length ? q(0.5) : NaN, p90: q(0.9), max: ok.length ? ok[ok.length - 1]! : NaN, timeouts: xs.length - ok.length };
}

export function procStatus(pid: number): { hwmKB: number; rssKB: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { hwmKB: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? NaN), rssKB: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN) };
  } catch {
    return { hwmKB: NaN, rssKB: NaN };
  }
}

/** the node process under the pane (the pane's shell may exec it, or fork it) */
export function nodePid(panePid: number): number | undefined {
  const seen = [panePid];
  while (seen.length) {
    const p = seen.shift()!;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node') return p;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) seen.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return undefined;
}

export function killSession(): void {
  spawnSync('tmux', ['kill-session', '-t', SESSION], { stdio: 'ignore', timeout: 5000 });
}
