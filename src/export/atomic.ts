/**
 * Safe output files for the exports: write everything to a temporary file in the target's
 * directory, then put it in place with one link/rename, so that a reader never sees half a file
 * and a failure leaves nothing behind.
 *
 * Refusals, checked before anything is created (and again just before the rename):
 * - the target is one of the inputs, compared by device + inode (so a hard link or a symlink to
 *   an input, or the same file under another name, is caught too);
 * - the target exists and `force` is not set (without force the final step is link(2), which
 *   fails if a file appeared in the meantime, so even a race does not clobber it);
 * - the target's directory does not exist or cannot be written.
 */
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * An export that cannot be done. `status` is the exit status the CLI uses: 2 when the command
 * as given must change (output is an input, exists without --force, wrong format), 1 when
 * reading or writing failed.
 */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface TargetOptions {
  /** replace an existing target (never an input) */
  force?: boolean;
  /** files the target must not be (paths; '-' is skipped) */
  inputs?: readonly string[];
}

/** Plain words for the errors creating the temporary file can give. */
const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'the file system does not allow new files there',
};

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? '';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Check the target against the refusals; returns the absolute target path and its directory.
 * No side effects, so the UI can call it to validate a name before exporting.
 */
export function checkTarget(target: string, opts: TargetOptions = {}): { abs: string; dir: string } {
  if (target === '' || target === '-') throw new ExportError(`output '${target}' is not a file name (exports cannot go to stdout)`, 2, 'bad-target');
  const abs = resolve(target);
  const dir = dirname(abs);
  const ds = statOrUndefined(dir);
  if (ds === undefined) throw new ExportError(`cannot write ${target}: directory ${dir} does not exist`, 1, 'no-directory');
  if (!ds.isDirectory()) throw new ExportError(`cannot write ${target}: ${dir} is not a directory`, 1, 'no-directory');

  let link: Stats | undefined;
  try {
    link = lstatSync(abs);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw new ExportError(`cannot write ${target}: ${(e as Error).message}`, 1, 'stat-failed');
  }
  if (link === undefined) return { abs, dir };
  // the target exists (maybe as a symlink): is it, or does it lead to, an input?
  const st = statOrUndefined(abs);
  if (st !== undefined) {
    for (const input of opts.inputs ?? []) {
      if (input === '-') continue;
      const is = statOrUndefined(input);
      if (is !== undefined && is.dev === st.dev && is.ino === st.ino) {
        const how = link.isSymbolicLink() ? ' (through a symbolic link)' : resolve(input) === abs ? '' : ' (the same file under another name)';
        throw new ExportError(`refusing to write ${target}: it is the input ${input}${how}; choose another output file`, 2, 'output-is-input');
      }
    }
    if (st.isDirectory()) throw new ExportError(`cannot write ${target}: it is a directory`, 2, 'target-is-directory');
  }
  if (!opts.force) throw new ExportError(`refusing to write ${target}: the file exists; pass --force to replace it`, 2, 'target-exists');
  return { abs, dir };
}

/**
 * Buffered writes to a file descriptor, with the little-endian field writers the capture writers
 * need. Fields go straight into one reused buffer: nothing is allocated per packet.
 */
export class OutFile {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  /** bytes written so far (buffered ones included) */
  bytes = 0;

  constructor(private readonly fd: number) {}

  private room(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    this.bytes += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    this.bytes += 4;
  }

  zeros(n: number): void {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    this.bytes += n;
  }

  bytesFrom(src: Uint8Array, off: number, len: number): void {
    this.room(len);
    this.buf.set(src.subarray(off, off + len), this.pos);
    this.pos += len;
    this.bytes += len;
  }

  // as ByteLines (flow-bytes.ts): the line encoders write straight into the buffer
  /** Room for n bytes at the returned position of `buffer`; then commit(end). */
  reserve(n: number): number {
    this.room(n);
    return this.pos;
  }
  get buffer(): Uint8Array {
    return this.buf;
  }
  commit(end: number): void {
    this.bytes += end - this.pos;
    this.pos = end;
  }

  /** UTF-8 text; returns the number of bytes written */
  text(s: string): number {
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.bytes += n;
    return n;
  }

  flush(): void {
    let o = 0;
    while (o < this.pos) o += writeSync(this.fd, this.buf, o, this.pos - o);
    this.pos = 0;
  }
}

/**
 * Write `target` through a temporary file: `fill` writes the content, then the file is synced and
 * put in place. On any failure (a refusal, an exception from `fill`, a write error) the temporary
 * file is removed and the error is thrown on; the target is untouched.
 */
export async function writeAtomic<T>(target: string, opts: TargetOptions, fill: (out: OutFile) => Promise<T> | T): Promise<T> {
  const { abs, dir } = checkTarget(target, opts);
  const tmp = join(dir, `.${basename(abs)}.${process.pid}-${randomBytes(4).toString('hex')}.rsttui-tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o666);
  } catch (e) {
    const why = WHY[errCode(e)] ?? (errCode(e) || (e as Error).message);
    throw new ExportError(`cannot write ${target}: cannot create a file in ${dir}: ${why}`, 1, 'cannot-create');
  }
  let open = true;
  try {
    const out = new OutFile(fd);
    const result = await fill(out);
    out.flush();
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    // the inputs or the target may have changed while we were writing: check again
    checkTarget(target, opts);
    place(tmp, abs, target, opts.force === true);
    return result;
  } catch (e) {
    if (open) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already moved */
    }
    if (e instanceof ExportError) throw e;
    const code = errCode(e);
    if (code !== '') throw new ExportError(`cannot write ${target}: ${(e as Error).message}`, 1, 'write-failed');
    throw e;
  }
}

/** Move tmp to abs: rename when replacing is allowed, else link + unlink (fails if abs exists). */
function place(tmp: string, abs: string, target: string, force: boolean): void {
  if (force) {
    renameSync(tmp, abs);
    return;
  }
  try {
    linkSync(tmp, abs);
  } catch (e) {
    if (errCode(e) === 'EEXIST') throw new ExportError(`refusing to write ${target}: the file exists; pass --force to replace it`, 2, 'target-exists');
    // file systems without hard links: the existence check above has to do
    renameSync(tmp, abs);
    return;
  }
  unlinkSync(tmp);
}
