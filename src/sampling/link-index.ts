// Which buffered traces link to which undecided ones, so the sampler can tell a linking trace
// (a storage batch) when a trace it links to (a request) is decided. Only spans with links add
// entries, one per linking trace and trace still buffered that it links to (another link between
// the two adds nothing: test/regression/link-index-grows-per-duplicate-link.test.ts): a service
// without links pays one size check per decision.

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
  /**
   * Linked trace ID -> the traces linking to it, each once: the one linking trace itself (most
   * traces are linked to by one, so that costs no Set), a Set from a second on. At most one key
   * per buffered trace. (A linking trace's buffer is not reused while it is registered, so its
   * identity is its trace.)
   */
  private readonly linkers = new Map<string, T | Set<T>>();

  get size(): number {
    return this.linkers.size;
  }

  /** `linker` has a span linking to the buffered trace `linkedTraceId`. */
  add(linkedTraceId: string, linker: T): void {
    const linkers = this.linkers.get(linkedTraceId);
    if (linkers === undefined) this.linkers.set(linkedTraceId, linker);
    else if (linkers === linker) return;
    else if (linkers instanceof Set) {
      if (linkers.has(linker)) return;
      linkers.add(linker);
    } else this.linkers.set(linkedTraceId, new Set([linkers, linker]));
    linker.pendingLinks++;
  }

  /** `traceId` was decided: its linkers stop waiting for it, and learn whether it was kept. */
  decided(traceId: string, kept: boolean): void {
    const linkers = this.linkers.get(traceId);
    if (linkers === undefined) return;
    this.linkers.delete(traceId);
    if (linkers instanceof Set) for (const linker of linkers) learn(linker, kept);
    else learn(linkers, kept);
  }
}

function learn(linker: LinkingTrace, kept: boolean): void {
  linker.pendingLinks--;
  if (kept && !linker.linkedKept) {
    linker.linkedKept = true;
    if (linker.evaluated) linker.changed = true;
  }
}
