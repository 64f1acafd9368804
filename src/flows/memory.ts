/**
 * Memory the engine hands back: forced collections at phase boundaries, and buffers mapped from
 * the OS for the tables that live only while loading (osBuffer); and the connection table's
 * columns, allocated in shared memory (sharedColumn).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection at the end of a phase that leaves large dead buffers behind (the
 * connection table's ingest records and lookup hash, ~80 MB at half a million connections):
 * V8 frees an ArrayBuffer's memory only when a GC finds it dead, and none may come before the
 * next phase has stacked its own allocations on top, which raised the peak RSS by ~40 MB.
 * Measured: ~7 ms at 10 M packets. Where the runtime does not allow it, nothing happens.
 */
let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // (the usual way to reach V8's gc() without starting node with --expose-gc; a flag set
      // after start is not guaranteed to take: then gc stays null)
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
  dropped = 0;
}

/** Bytes of old table buffers dropped since the last collection (see discarded). */
let dropped = 0;
const COLLECT_AFTER = 32 << 20;

/**
 * A table that doubled dropped its old buffer of `bytes`. Until a GC finds it dead it stays in
 * memory beside the new one, and V8 may not look before the new one has filled: once 32 MiB
 * have been dropped, collect (a few times a load, ~5-15 ms each, while the heap is small).
 * Measured at 1 M connections: the connection records' last doubling held 36 MB of old buffers
 * to the end of reading, the load's peak.
 */
export function discarded(bytes: number): void {
  dropped += bytes;
  if (dropped >= COLLECT_AFTER) collectGarbage();
}

// (the WebAssembly global, which TypeScript's ES libraries do not declare)
const Wasm = (globalThis as unknown as {
  WebAssembly: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer } };
}).WebAssembly;

/**
 * Whether this process was relaunched with malloc asking for transparent huge pages
 * (src/cli/relaunch.ts sets it, with GLIBC_TUNABLES): then every buffer from 2 MiB up is a
 * mapping of its own (glibc's mmap_threshold), zeroed by the OS, its pages taken when written,
 * 2 MiB at a time where the kernel has them.
 */
export const HUGE_PAGES_ENV = 'RSTTUI_HUGEPAGES_ON';
export const HUGE_PAGES = process.env[HUGE_PAGES_ENV] === '1';

/**
 * A zeroed buffer of `bytes` (or a little more) mapped from the OS: a WebAssembly memory, which V8
 * maps straight from the OS and unmaps once it is collected, whose pages take memory, and the
 * time of a page fault (~11 us on a VM), only once written (glibc's calloc clears a buffer under
 * 32 MiB page by page). `shared`: a SharedArrayBuffer. Never grown: growing detaches the old
 * buffer, which slows every typed array in the process (test/memory.test.ts).
 */
export function lazyBuffer(bytes: number, shared: boolean): ArrayBufferLike {
  // (in a process relaunched for huge pages, malloc maps a large buffer from the OS itself, in
  // 2 MiB pages where it can, and unmaps it when freed: what a WebAssembly memory does, in 4 KiB pages)
  if (HUGE_PAGES) return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  try {
    return new Wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages }).buffer;
  } catch {
    // (no WebAssembly, or the address space is limited, as under `ulimit -v`)
    return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }
}

/**
 * A zeroed buffer of at least `bytes`; once mapLoadTablesFromOs is on, a lazyBuffer, not one from
 * malloc. For the large tables that live only while loading (lookup hashes, the connection
 * table's ingest records): glibc serves a buffer under 32 MiB from its heap and keeps the pages
 * when it is freed, so these tables left ~40 MB of holes in the UI's RSS after loading 1 M
 * connections. `shared`: the buffer is a SharedArrayBuffer.
 */
export function osBuffer(bytes: number): ArrayBuffer;
export function osBuffer(bytes: number, shared: true): SharedArrayBuffer;
export function osBuffer(bytes: number, shared = false): ArrayBufferLike {
  if (!fromOs) return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return lazyBuffer(bytes, shared);
}

/** A typed array's constructor over a buffer (Uint8Array, Float64Array…). */
export type View<T> = { new (buffer: ArrayBufferLike, offset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/** A typed array of n elements over an osBuffer (shared: over a SharedArrayBuffer). */
export function osArray<T>(make: View<T>, n: number, shared = false): T {
  const bytes = n * make.BYTES_PER_ELEMENT;
  return new make(shared ? osBuffer(bytes, true) : osBuffer(bytes), 0, n);
}

let fromOs = false;

/**
 * A zeroed typed array of n whose pages take memory only once written (a lazyBuffer), whatever
 * mapLoadTablesFromOs says. For a table sized once at an upper bound of what
 * it will hold, instead of grown by copying: the part the data never reaches is never resident.
 */
export function lazyArray<T>(make: View<T>, n: number): T {
  return new make(lazyBuffer(Math.max(1, n) * make.BYTES_PER_ELEMENT, false), 0, n);
}

/**
 * Take the load-time tables from the OS (osBuffer) from now on: for a process that lives on
 * after loading, the UI. A headless command exits soon after; fresh pages cost it ~25 k more page
 * faults at 10 M packets (~0.1 s of system time, measured), for memory it would not keep anyway.
 */
export function mapLoadTablesFromOs(on = true): void {
  fromOs = on;
}

/** A typed array the connection table keeps as a column. */
export type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array | Float32Array | Int32Array;

/** A zeroed column of n like `like`, in shared memory (the analysis worker reads columns when it writes flow lines). */
export function sharedColumn<T extends Column>(like: T, n: number): T {
  const make = like.constructor as new (b: SharedArrayBuffer) => T;
  return new make(new SharedArrayBuffer(n * like.BYTES_PER_ELEMENT));
}

/**
 * sharedColumn's column in a lazyBuffer: for the columns of the connections a log alone makes
 * (3 M at 10 M log lines), most of which stay zero (no packets).
 */
export function lazySharedColumn<T extends Column>(like: T, n: number): T {
  const make = like.constructor as unknown as View<T>;
  return new make(lazyBuffer(Math.max(1, n) * like.BYTES_PER_ELEMENT, true), 0, n);
}

/** `a` copied into a shared column of n (cut or zero-filled); `lazy`: a lazySharedColumn. */
export function grownColumn<T extends Column>(a: T, n: number, lazy = false): T {
  const b = lazy ? lazySharedColumn(a, n) : sharedColumn(a, n);
  b.set(a.subarray(0, Math.min(a.length, n)) as never);
  return b;
}

/**
 * Pages of shared memory made resident ahead of the thread that will write them, by one with time
 * to spare: a page's first touch costs ~11 µs on the machine measured (a fault in the guest and in
 * its host), and the writer's faults are its own time. Each page gets an atomic add of 0, which
 * changes nothing, whatever the writer does to it meanwhile. `ahead(n)`: the writer is at item n,
 * pages up to item n + lead are touched (none behind it twice). Buffers are whole 64 KiB pages
 * (lazyBuffer), so every page has a word to add to.
 */
export class PageToucher {
  private readonly words: { w: Int32Array; size: number }[];
  private at = 0;
  constructor(buffers: { buffer: ArrayBufferLike; bytesPerItem: number }[], private readonly lead: number, private readonly cap: number) {
    this.words = buffers.map((b) => ({ w: new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2), size: b.bytesPerItem }));
  }
  ahead(n: number): void {
    const from = Math.max(this.at, n), to = Math.min(this.cap, n + this.lead);
    if (to <= from) return;
    for (const { w, size } of this.words) {
      const end = Math.min(to * size, w.length * 4);
      for (let b = (from * size) & ~4095; b < end; b += 4096) Atomics.add(w, b >> 2, 0);
    }
    this.at = to;
  }
}
