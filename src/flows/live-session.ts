/**
 * A live run: the engine (live.ts) fed from its inputs (a capture stream, growing log files,
 * pushed log lines), ticked a few times a second, its state published as a Dataset (live-view.ts)
 * and its figures counted for a status line. The headless `flows` and the UI drive one each.
 */
import type { Dataset } from './dataset.js';
import { LineSplitter } from '../read/log-lines.js';
import { LiveEngine, type CaptureStats, type LiveOptions } from './live.js';
import { liveDataset } from './live-view.js';

export interface LiveSessionOptions extends Omit<LiveOptions, 'onFinal'> {
  /** ms between ticks (default 250: records written within a quarter second of being over) */
  tickMs?: number;
  /**
   * ms a tick may spend analysing (the UI's: keys are answered between); the rest is done in
   * further slices at once, each giving the event loop a turn. Default: no limit.
   */
  tickBudgetMs?: number;
}

export interface LiveCapture {
  chunks: AsyncIterable<Uint8Array>;
  /** the vantage name */
  name: string;
  /** its interfaces' names, in the stream's order, when each is a vantage of its own (`-i a -i b`) */
  vantages?: readonly string[];
  /** where the packet bytes can be read again ('-': nowhere, a pipe) */
  path?: string;
  /** the capture's own counters (dumpcap's drops), read for the status line and summary */
  stats?: () => CaptureStats | undefined;
}

export interface LiveInputs {
  capture?: LiveCapture;
  /** logs read as a stream of bytes (a followed file) */
  logs?: { name: string; chunks: AsyncIterable<Uint8Array> }[];
  /** logs whose lines are pushed (a syslog receiver): `start` is given the line sink and returns a stop function */
  feeds?: { name: string; start(onLine: (line: string) => void): () => void }[];
  signal?: AbortSignal;
}

export interface LiveHooks {
  /** connection i's record is final; `ds` is the current view */
  onFinal?(ds: Dataset, i: number): void;
  /** after each tick */
  onTick?(): void;
}

/** What a status line shows. */
export interface LiveStats {
  packets: number;
  /** packets a second over the last second or so */
  pps: number;
  conns: number;
  final: number;
  late: number;
  /** connections and packets dropped by --keep */
  droppedConns: number;
  droppedPackets: number;
  /** the capture's own drop count, when its source gives one */
  captureDropped: number | undefined;
  /** ms since the session started */
  elapsedMs: number;
  /** the inputs have ended (or the run was stopped): nothing more will come */
  ended: boolean;
}

export class LiveSession {
  readonly engine: LiveEngine;
  private cached: Dataset | undefined;
  private cachedAt = -1;
  private stopped = false;
  private readonly closers: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = Date.now();
  /** (wall ms, packets) at recent ticks, for packets/s */
  private samples: [number, number][] = [];
  private finished = false;

  constructor(private readonly opts: LiveSessionOptions, private readonly inputs: LiveInputs, private readonly hooks: LiveHooks = {}) {
    this.engine = new LiveEngine({ ...opts, onFinal: (i) => this.hooks.onFinal?.(this.view(), i) });
  }

  /** The engine's state as of its last tick (one object per tick). */
  view(): Dataset {
    const n = this.engine.published;
    if (!this.cached || this.cachedAt !== this.ticks) {
      const ch = this.engine.takeChanges();
      this.views++;
      const e = this.engine;
      const ids = e.idsView(), gen = e.gen;
      this.cached = liveDataset(e, e.fwLive?.snapshot(), n, {
        seq: this.views, gen: e.gen, from: ch.from, changed: ch.changed, ...(e.lastRemap ? { remap: e.lastRemap } : {}), idOf: (i) => ids[i]!,
        ...(e.vantages ? { hidden: (i: number) => e.gen === gen && e.isMerged(i) } : {}),
        remapFrom: (g) => (g === e.gen - 1 ? e.lastRemap : e.remapFrom(g)),
      });
      this.cachedAt = this.ticks;
    }
    return this.cached;
  }

  private readonly listeners = new Set<() => void>();
  /** Call `f` after every tick (the UI takes the new view then); returns the unsubscribe. */
  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** --keep is on */
  get keeping(): boolean {
    return this.opts.keep !== undefined && (this.opts.keep.seconds !== undefined || this.opts.keep.count !== undefined);
  }

  /** The id connection i is known by (records, the list). */
  idOf(i: number): number {
    return this.engine.idOf(i);
  }

  private ticks = 0;
  private views = 0;
  private catchingUp = false;
  /** One tick: the engine brought up to date and the over connections made final. */
  tick(): void {
    this.ticks++;
    this.cached = undefined;
    this.engine.tick(undefined, false, this.opts.tickBudgetMs);
    this.catchUp();
    const now = Date.now();
    this.samples.push([now, this.engine.counts.packets]);
    while (this.samples.length > 2 && now - this.samples[1]![0] >= 1000) this.samples.shift();
    this.hooks.onTick?.();
    for (const f of this.listeners) f();
  }

  /** A tick that ran out of its budget: the rest in slices, a turn of the event loop between. */
  private catchUp(): void {
    if (this.catchingUp || this.engine.backlog === 0 || this.finished) return;
    this.catchingUp = true;
    setImmediate(() => {
      this.catchingUp = false;
      if (this.finished) return;
      this.ticks++;
      this.cached = undefined;
      this.engine.tick(undefined, false, this.opts.tickBudgetMs);
      this.catchUp();
    });
  }

  /** Read every input; resolves once the streams have ended (pushed lines go on until `stop`). */
  async start(): Promise<void> {
    const ms = this.opts.tickMs ?? 250;
    this.timer = setInterval(() => this.tick(), ms);
    this.timer.unref();
    const { capture, logs = [], feeds = [] } = this.inputs;
    for (const f of feeds) this.closers.push(f.start(this.engine.logSink(f.name)));
    const reads: Promise<void>[] = [];
    if (capture) reads.push(this.readCapture(capture));
    for (const l of logs) reads.push(this.readLog(l.name, l.chunks));
    await Promise.all(reads);
    // (pushed lines have no end: the run goes on until stopped)
    if (feeds.length) await this.stopping;
    else if (!this.stopped) this.stop(true);
  }

  private stopNow: (() => void) | undefined;
  private readonly stopping = new Promise<void>((r) => { this.stopNow = r; });

  private async readCapture(src: LiveCapture): Promise<void> {
    const sink = this.engine.capture(src.name, src.path ?? '-', src.vantages);
    const it = src.chunks[Symbol.asyncIterator]();
    this.closers.push(() => void it.return?.());
    try {
      for (;;) {
        const r = await it.next();
        if (r.done === true || this.stopped) break;
        sink.push(r.value);
      }
    } catch (e) {
      this.engine.issues.push({ file: src.name, severity: 'error', code: 'read-failed', message: `reading stopped: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!this.stopped) sink.end();
  }

  private async readLog(name: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const sink = this.engine.logSink(name);
    const split = new LineSplitter((line) => sink(line));
    const it = chunks[Symbol.asyncIterator]();
    this.closers.push(() => void it.return?.());
    try {
      for (;;) {
        const r = await it.next();
        if (r.done === true || this.stopped) break;
        split.push(r.value, r.value.length);
      }
    } catch (e) {
      this.engine.issues.push({ file: name, severity: 'error', code: 'read-failed', message: `reading stopped: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!this.stopped) split.end();
  }

  /** Stop reading; `finish`: every connection still held is over now (its record final). */
  private endedAt: number | undefined;

  stop(finish: boolean): void {
    this.endedAt ??= Date.now();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.stopped) {
      this.stopped = true;
      for (const c of this.closers) c();
      this.stopNow?.();
    }
    if (finish && !this.finished) {
      this.finished = true;
      this.ticks++;
      this.cached = undefined;
      this.engine.finish();
      for (const f of this.listeners) f();
    } else this.tick();
  }

  stats(): LiveStats {
    const c = this.engine.counts;
    const s = this.samples;
    const first = s[0], last = s[s.length - 1];
    const pps = first && last && last[0] > first[0] && this.endedAt === undefined ? ((last[1] - first[1]) * 1000) / (last[0] - first[0]) : 0;
    return {
      packets: c.packets, pps, conns: c.conns, final: c.final, late: c.late, droppedConns: this.engine.dropped.conns, droppedPackets: this.engine.dropped.packets,
      captureDropped: this.inputs.capture?.stats?.()?.dropped, elapsedMs: (this.endedAt ?? Date.now()) - this.t0, ended: this.endedAt !== undefined,
    };
  }
}
