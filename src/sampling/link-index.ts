// Which buffered traces link to which undecided ones, so the sampler can tell a linking trace
// (a storage batch) when a trace it links to (a request) is decided. Only spans with links add
// entries, one per link to a trace still buffered: a service without links pays one size check
// per decision.

/** What the index needs of a linking trace: how many linked traces are undecided, and whether one was kept. */
export interface LinkingTrace {
  /** Links to traces still buffered: the trace waits for them (bounded by the maximum age). */
  pendingLinks: number;
  /** A trace it links to was kept. */
  linkedKept: boolean;
  /** Whether the policy chain already ran (a later keep must make it run again). */
  readonly evaluated: boolean;
  changed: boolean;
}

export class LinkIndex<T extends LinkingTrace> {
  /** Linked trace ID -> the traces linking to it. At most one key per buffered trace. */
  private readonly linkers = new Map<string, T[]>();

  get size(): number {
    return this.linkers.size;
  }

  /** `linker` has a span linking to the buffered trace `linkedTraceId`. */
  add(linkedTraceId: string, linker: T): void {
    const list = this.linkers.get(linkedTraceId);
    if (list === undefined) this.linkers.set(linkedTraceId, [linker]);
    else list.push(linker);
    linker.pendingLinks++;
  }

  /** `traceId` was decided: its linkers stop waiting for it, and learn whether it was kept. */
  decided(traceId: string, kept: boolean): void {
    const list = this.linkers.get(traceId);
    if (list === undefined) return;
    this.linkers.delete(traceId);
    for (let i = 0; i < list.length; i++) {
      const linker = list[i]!;
      linker.pendingLinks--;
      if (kept && !linker.linkedKept) {
        linker.linkedKept = true;
        if (linker.evaluated) linker.changed = true;
      }
    }
  }
}
