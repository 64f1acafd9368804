/**
 * Room for a full event chunk's columns (fw-chunk.ts newChunk), cut from arenas.
 */
/** full chunks cut from one arena (ChunkArena) */
const ARENA_CHUNKS = 8;
/** bytes of a row in all of fw-chunk.ts's columns (newChunk checks that they fit), and of a full chunk's kept text */
export const CHUNK_ROW_BYTES = 79;
export const CHUNK_TEXT_BYTES = 1 << 20;

/**
 * Where a thread's full chunks' columns are cut from: one buffer for ARENA_CHUNKS chunks (~41 MB
 * of columns), not one per column. Its pages are taken as they are first written either way; in a
 * process whose malloc maps huge pages (memory.ts HUGE_PAGES) one mapping this large is almost all
 * in 2 MiB pages, where a column of 1 MB or less got none and a chunk's 5 MB alone one or two:
 * at 10 M log lines the read phase's page faults were ~244 k with a buffer per column, ~150 k
 * with one per chunk, ~43 k with arenas (in 4 KiB pages, without huge pages, the same ~244 k).
 */
class ChunkArena {
  private buf: ArrayBufferLike | undefined;
  private at = 0;
  constructor(private readonly shared: boolean) {}

  /** A chunk's room: `bytes` at an 8-aligned offset of the current arena, or of a new one. */
  take(bytes: number): { buffer: ArrayBufferLike; at: number } {
    if (this.buf === undefined || this.at + bytes > this.buf.byteLength) {
      const size = ARENA_CHUNKS * bytes;
      this.buf = this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
      this.at = 0;
    }
    const at = this.at;
    this.at += (bytes + 7) & ~7;
    return { buffer: this.buf, at };
  }
}

/** this thread's arenas: [plain, shared] x [without, with kept text] */
const arenas = [new ChunkArena(false), new ChunkArena(false), new ChunkArena(true), new ChunkArena(true)];

/** Room for a full chunk of `rows` (`keepText`: and its lines' text) in this thread's arena: `bytes` from `at`. */
export function chunkRoom(rows: number, shared: boolean, keepText: boolean): { buffer: ArrayBufferLike; at: number; bytes: number } {
  const bytes = CHUNK_ROW_BYTES * rows + (keepText ? CHUNK_TEXT_BYTES : 0);
  return { ...arenas[(shared ? 2 : 0) + (keepText ? 1 : 0)]!.take(bytes), bytes };
}
