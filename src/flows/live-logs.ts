/**
 * Live log lines -> rows of the firewall event table, one at a time: each line goes through the
 * same SyslogParser as a file's (every vendor the readers know), into a ChunkWriter of small
 * chunks that the table holds from the start, so that an event is in the table as soon as its line
 * is read. The lines are kept (a syslog receiver's cannot be read again). The batch hands the table
 * whole chunks and translates their strings and addresses once a chunk (FwTable.append); here each
 * row is translated as it is written.
 */
import type { InputIssue } from '../model.js';
import { STR_SLOTS, type FwChunk } from '../read/fw-chunk.js';
import { ChunkWriter } from '../read/fw-chunk-writer.js';
import { SyslogParser, type SyslogOptions } from '../read/syslog.js';
import type { AddrTable } from './addr-table.js';
import { CHUNK_BITS, type FwTable } from './fw-table.js';
import type { LogFile } from './ingest.js';

/** events a chunk of a live log */
export const LIVE_LOG_ROWS = 1024;

/** One live log: its lines parsed into the table; the events added are handed to `onEvent`. */
export class LiveLog {
  readonly file: LogFile;
  private readonly parser: SyslogParser;
  private readonly writer: ChunkWriter;
  /** the reader's string ids -> the table's */
  private remap = new Uint16Array(64);
  private remapped = 1;
  private chunk: FwChunk | undefined;
  /** the table's index of the chunk being filled */
  chunkIndex = -1;
  private issuesSeen = 0;

  constructor(readonly name: string, readonly log: number, private readonly table: FwTable, private readonly addrs: AddrTable,
    sopts: SyslogOptions, private readonly onEvent: (e: number) => void) {
    table.logNames[log] = name;
    table.sources[log] = { path: name, kept: true, format: 'lines' };
    this.writer = new ChunkWriter(log, 0, true, () => undefined, false, LIVE_LOG_ROWS);
    this.parser = new SyslogParser(name, sopts, {
      event: (f, fields, raw) => {
        this.writer.add(f, fields, raw);
        this.added();
      },
    });
    this.file = { path: name, name, events: 0, counts: this.parser.counts, nonAsaLines: 0, lines: 0 };
  }

  /** One line (without its newline). */
  line(text: string): void {
    this.parser.line(text, 0);
  }

  /** The parser's new issues since the last call. */
  newIssues(): InputIssue[] {
    const is = this.parser.issues;
    const out = is.slice(this.issuesSeen);
    this.issuesSeen = is.length;
    this.file.nonAsaLines = this.parser.nonAsaLines;
    return out;
  }

  /** The row just written (the writer's current chunk, row n - 1): into the table's strings and address ids. */
  private added(): void {
    const c = this.writer.current;
    if (c !== this.chunk) {
      this.chunk = c;
      this.chunkIndex = this.table.chunks.length;
      this.table.chunks.push(c);
    }
    const r = c.n - 1;
    const pool = this.writer.pool.all;
    if (pool.length > this.remapped) {
      if (pool.length > this.remap.length) {
        const m = new Uint16Array(Math.max(pool.length, this.remap.length * 2));
        m.set(this.remap);
        this.remap = m;
      }
      for (let k = this.remapped; k < pool.length; k++) {
        const id = this.table.intern(pool[k]!);
        this.remap[k] = id > 0xffff ? 0 : id;
      }
      this.remapped = pool.length;
    }
    for (let k = r * STR_SLOTS; k < (r + 1) * STR_SLOTS; k++) c.str[k] = this.remap[c.str[k]!] ?? 0;
    const mask = c.amask[r]!;
    for (let s = 0; s < 4; s++) {
      if (!(mask & (1 << s))) continue;
      const at = r * 4 + s;
      c.addr[at] = mask & (0x10 << s) ? this.addrs.idOfText(c.v6[c.addr[at]!]!)! : this.addrs.v4IdOf(c.addr[at]!);
    }
    c.v6.length = 0;
    this.table.count++;
    this.file.events++;
    this.onEvent((this.chunkIndex << CHUNK_BITS) | r);
  }
}
