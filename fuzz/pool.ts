/**
 * Child processes that run fuzz inputs (child.ts), each input with a time limit: an input that
 * gets no answer in time is a hang (the child is killed and another started; see run), a child
 * that dies is a crash (its last words on stderr are kept for the report).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export interface Outcome {
  faults: string[];
  ms: number;
}

class Child {
  dead = false;
  private proc: ChildProcess;
  private stderr = '';
  private pending: { id: number; resolve: (o: Outcome) => void; timer: NodeJS.Timeout; t0: number } | undefined;

  constructor(private readonly limitMs: number, heapMb: number, child = CHILD) {
    this.proc = fork(child, [], { execArgv: [`--max-old-space-size=${heapMb}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.proc.stderr!.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString('utf8')).slice(-2000);
    });
    this.proc.on('message', (m: { id: number; faults: string[] }) => {
      const p = this.pending;
      if (!p || m.id !== p.id) return;
      this.settle({ faults: m.faults, ms: performance.now() - p.t0 });
    });
    this.proc.on('exit', (code, signal) => {
      this.dead = true;
      if (this.pending) {
        const p = this.pending;
        // (a moment for the stderr pipe to drain)
        setTimeout(() => this.settle({ faults: [`crash: the child exited (code ${code}, signal ${signal}): ${this.stderr.trim().split('\n').slice(-8).join('\n')}`], ms: performance.now() - p.t0 }), 50);
      }
    });
  }

  private settle(o: Outcome): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.resolve(o);
  }

  /** CPU seconds the child has used (Linux /proc; undefined elsewhere). */
  private cpuSeconds(): number | undefined {
    try {
      const f = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
    } catch {
      return undefined;
    }
  }

  /**
   * The limit is the child's: an input is a hang when the child has spent the limit in CPU time
   * on it (a loop), or three times the limit in wall time (a wait that never ends). On a machine
   * shared with other work, a slow input that was only starved of CPU is not a hang.
   */
  run(id: number, paths: string[], outDir: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const cpu0 = this.cpuSeconds();
      const check = (): void => {
        const wall = performance.now() - t0;
        const cpu = this.cpuSeconds();
        const busy = cpu === undefined || cpu0 === undefined ? wall : (cpu - cpu0) * 1000;
        if (busy < this.limitMs && wall < 3 * this.limitMs) {
          this.pending!.timer = setTimeout(check, Math.min(this.limitMs - busy, 3 * this.limitMs - wall) + 50);
          return;
        }
        this.settle({ faults: [`hang: no answer after ${(busy / 1000).toFixed(1)} s of CPU, ${(wall / 1000).toFixed(1)} s in all (limit ${this.limitMs / 1000} s)`], ms: wall });
        this.kill();
      };
      this.pending = { id, resolve, timer: setTimeout(check, this.limitMs), t0 };
      this.proc.send({ id, paths, outDir });
    });
  }

  kill(): void {
    this.dead = true;
    this.proc.kill('SIGKILL');
  }
}

/** `jobs` children; `run` takes a free one (starting another in place of a dead one). */
export class Pool {
  private free: Child[] = [];
  private waiting: ((c: Child) => void)[] = [];

  /** (`child`: another child script, for the harness's own tests) */
  constructor(jobs: number, private readonly limitMs: number, private readonly heapMb = 1024, private readonly child = CHILD) {
    for (let k = 0; k < jobs; k++) this.free.push(new Child(limitMs, heapMb, child));
  }

  async run(id: number, paths: string[], outDir: string): Promise<Outcome> {
    let c = this.free.pop() ?? (await new Promise<Child>((resolve) => this.waiting.push(resolve)));
    if (c.dead) c = new Child(this.limitMs, this.heapMb, this.child);
    try {
      return await c.run(id, paths, outDir);
    } finally {
      if (c.dead) c = new Child(this.limitMs, this.heapMb, this.child);
      const w = this.waiting.shift();
      if (w) w(c);
      else this.free.push(c);
    }
  }

  close(): void {
    for (const c of this.free) c.kill();
    this.free = [];
  }
}
