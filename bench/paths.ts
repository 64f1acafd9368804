/** Where the benchmarks find the project: its root, the generated inputs' folder, the program. */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the project's root (this file runs from dist/bench/) */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** generated inputs, kept between runs (git ignores it) */
export const OUT = join(ROOT, 'bench', 'out');
export const BIN = join(ROOT, 'bin', 'rsttui.js');
