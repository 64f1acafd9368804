/**
 * The fuzz child: runs the inputs its parent sends (checkInput) one at a time and answers each.
 * Anything that escapes (an uncaught exception, a rejection nobody handled) is reported against
 * the input being run, and the child exits: the parent starts another.
 */
import { checkInput } from './check.js';

interface Task {
  id: number;
  paths: string[];
  outDir: string;
}

let current = -1;

const send = (m: unknown): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));

function escaped(what: string) {
  return (e: unknown): void => {
    const text = e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 6).join('\n') : String(e);
    void send({ id: current, faults: [`${what}: ${text}`] }).finally(() => process.exit(70));
  };
}

process.on('uncaughtException', escaped('uncaught exception'));
process.on('unhandledRejection', escaped('unhandled rejection'));

process.on('message', (t: Task) => {
  current = t.id;
  void checkInput(t.paths, t.outDir).then((faults) => send({ id: t.id, faults }));
});
