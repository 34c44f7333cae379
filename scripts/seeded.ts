// Seeded randomness for generated fixtures and tests: the same seed gives the same sequence.

/** mulberry32: a small, fast 32-bit PRNG with values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lowercase hex strings of a given length (trace and span IDs) drawn from `random`. */
export function seededHex(random: () => number): (chars: number) => string {
  return (chars) => {
    let out = '';
    while (out.length < chars)
      out += Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, chars);
  };
}
