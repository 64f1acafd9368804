/**
 * Buffered stdout for large outputs (millions of lines): lines are joined into ~1 MiB writes, and
 * a closed pipe (`rsttui packets x.pcap | head`) ends the program quietly instead of crashing.
 */
let broken = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    broken = true;
    process.exit(0);
  }
  throw e;
});

export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  line(s: string): void {
    if (broken) return;
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0 || broken) return;
    this.stream.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }

  /** Flush and wait until the stream has taken everything. */
  async end(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => {
      if ((this.stream as NodeJS.WriteStream).writableNeedDrain) this.stream.once('drain', () => resolve());
      else resolve();
    });
  }
}
