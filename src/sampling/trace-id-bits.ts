// Reading a trace ID's random hex digits as 32-bit words, without allocating, for the trace table
// and the decision cache.

/**
 * The up-to-8 hex digits of `traceId` ending before `end`, as an int. Branch-free: '0'-'9' are
 * 0x30-0x39, 'a'-'f' / 'A'-'F' end in 1-6 with bit 6 set (+9); a branch here is mispredicted on
 * random IDs and costs more than the rest. W3C trace IDs are hex; any other character mixes in.
 */
export function hexWord(traceId: string, end: number): number {
  let value = 0;
  for (let i = end - 8 > 0 ? end - 8 : 0; i < end; i++) {
    const code = traceId.charCodeAt(i);
    value = (value << 4) | ((code & 15) + 9 * (code >> 6));
  }
  return value;
}
