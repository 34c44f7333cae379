// pino, loaded when the first event logger is made rather than at `import('plumbline')`: it is
// CommonJS with a few dependencies of its own (sonic-boom, thread-stream, ...), about 10-20 ms of
// a fresh process, and a service that imports plumbline's types or helpers without logging
// should not pay it. Kept once loaded: the line path asks for it per line, and a require, even
// cached, resolves the name each time.
import type * as Pino from 'pino';
import { onUse } from '../require-on-use.js';

let loaded: typeof Pino.pino | undefined;

/** pino's default export (with `symbols`, `stdTimeFunctions`, `destination`). */
export function pinoOnUse(): typeof Pino.pino {
  return (loaded ??= onUse('pino').pino);
}
