#!/usr/bin/env node
// Tiny launcher: the compiled CLI lives in dist/ (npm ci runs the build).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`rsttui: internal error: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 70; },
);
