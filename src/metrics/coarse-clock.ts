// Date.now for exemplar timestamps at a fraction of its cost: a Date.now call costs about as
// much as the rest of the exemplar path, so the time is read by a timer while measurements come in.

/** How often the timer reads the clock: the bound on an exemplar timestamp's error. */
export const COARSE_TICK_MS = 10;
/** In a long synchronous run the timer cannot fire: every this many calls read the clock too. */
const CALLS_PER_READ = 64;

let cached = 0;
let calls = 0;
let callsAtLastTick = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** Date.now() as of at most COARSE_TICK_MS (or 64 calls) ago. */
export function coarseNow(): number {
  if (timer === undefined) return start();
  if ((++calls & (CALLS_PER_READ - 1)) === 0) read();
  return cached;
}

function start(): number {
  read();
  callsAtLastTick = calls;
  // unref: the clock never keeps a process alive; it stops itself when measurements stop.
  timer = setInterval(tick, COARSE_TICK_MS);
  timer.unref();
  return cached;
}

function tick(): void {
  if (calls === callsAtLastTick) {
    clearInterval(timer);
    timer = undefined;
    return;
  }
  callsAtLastTick = calls;
  read();
}

function read(): void {
  cached = Date.now();
}
