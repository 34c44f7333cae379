// Weighted max-min fair shares (water-filling): a key that wants less than its weighted share
// gets what it wants, and what it leaves is lent to the others in proportion to their weights.
// A noisy key therefore never takes a quiet key's share, and no share sits unused.

export interface ShareDemand {
  /** Traces per second this key would send to the budget. */
  readonly demand: number;
  /** Relative weight (> 0). */
  readonly weight: number;
}

/** Allocations (traces per second) in the order of `demands`, summing to at most `budget`. */
export function fairShares(budget: number, demands: readonly ShareDemand[]): number[] {
  const allocations = new Array<number>(demands.length).fill(0);
  // Keys in order of demand per unit of weight: each is either satisfied or capped at its share.
  const order = demands
    .map((_, index) => index)
    .sort((a, b) => demands[a]!.demand / demands[a]!.weight - demands[b]!.demand / demands[b]!.weight);
  let remaining = budget;
  let remainingWeight = 0;
  for (const d of demands) remainingWeight += d.weight;
  for (const index of order) {
    const { demand, weight } = demands[index]!;
    const share = remainingWeight > 0 ? (remaining * weight) / remainingWeight : 0;
    const allocation = demand < share ? demand : share;
    allocations[index] = allocation;
    remaining -= allocation;
    remainingWeight -= weight;
  }
  return allocations;
}
