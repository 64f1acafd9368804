/**
 * Child processes that run fuzz inputs (child.ts), each input with a time limit: an input that
 * gets no answer in time is a hang (the child is killed and another started), a child that dies
 * is a crash (its last words on stderr are kept for the report).
 */
import { fork, type ChildProcess } from 'node:child_process';
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

  constructor(private readonly limitMs: number, heapMb: number) {
    this.proc = fork(CHILD, [], { execArgv: [`--max-old-space-size=${heapMb}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
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

  run(id: number, paths: string[], outDir: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        this.settle({ faults: [`hang: no answer in ${this.limitMs / 1000} s`], ms: performance.now() - t0 });
        this.kill();
      }, this.limitMs);
      this.pending = { id, resolve, timer, t0 };
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

  constructor(jobs: number, private readonly limitMs: number, private readonly heapMb = 1024) {
    for (let k = 0; k < jobs; k++) this.free.push(new Child(limitMs, heapMb));
  }

  async run(id: number, paths: string[], outDir: string): Promise<Outcome> {
    let c = this.free.pop() ?? (await new Promise<Child>((resolve) => this.waiting.push(resolve)));
    if (c.dead) c = new Child(this.limitMs, this.heapMb);
    try {
      return await c.run(id, paths, outDir);
    } finally {
      if (c.dead) c = new Child(this.limitMs, this.heapMb);
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
