// Regression: every source change made a new packed tarball and a new installed app under
// ~/.cache/plumbline/packaging and nothing ever removed the old ones: 145 entries and 4.0 GB on
// the development machine after two days of edits. The cache now keeps the KEEP_NEWEST entries
// last used of each kind, plus any used within KEEP_RECENT_MS (another checkout may be running).
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEEP_NEWEST, KEEP_RECENT_MS, pruneCache } from '../packaging/packed.js';

const HOUR = 60 * 60 * 1000;
let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function entry(root: string, name: string, ageMs: number, now: number): Promise<void> {
  await mkdir(join(root, name, 'node_modules'), { recursive: true });
  const when = new Date(now - ageMs);
  await utimes(join(root, name), when, when);
}

describe('packaging cache grows with every source change', () => {
  it('keeps the newest entries of a kind and the recently used, and deletes the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'plumbline-cache-'));
    const now = Date.now();
    // Four packs used in the last minutes, six more a day apart.
    for (let pack = 0; pack < 4; pack += 1) await entry(dir, `pack-${pack}`, (pack + 1) * 60_000, now);
    for (let day = 4; day < 10; day += 1) await entry(dir, `pack-${day}`, day * 24 * HOUR, now);
    // Another checkout's pack, used within the recent window but not among the newest.
    await entry(dir, 'pack-other-checkout', KEEP_RECENT_MS - HOUR, now);
    // A killed run's scratch copies: an old one is removed, a fresh one may be in progress.
    await entry(dir, 'pack-9.tmp-123-1', 3 * 24 * HOUR, now);
    await entry(dir, 'pack-1.tmp-456-2', 1000, now);
    // Apps are another kind, pruned on their own.
    for (let day = 0; day < 6; day += 1) await entry(dir, `app-${day}`, day * 24 * HOUR + 60_000, now);

    const removed = await pruneCache(dir, 'pack-', now);

    const left = (await readdir(dir)).sort();
    expect(removed.sort()).toEqual([
      'pack-4',
      'pack-5',
      'pack-6',
      'pack-7',
      'pack-8',
      'pack-9',
      'pack-9.tmp-123-1',
    ]);
    expect(left.filter((name) => name.startsWith('pack-'))).toEqual([
      'pack-0',
      'pack-1',
      'pack-1.tmp-456-2',
      'pack-2',
      'pack-3',
      'pack-other-checkout',
    ]);
    expect(KEEP_NEWEST).toBe(4);
    expect(left.filter((name) => name.startsWith('app-'))).toHaveLength(6);

    expect(await pruneCache(dir, 'app-', now)).toEqual(['app-4', 'app-5']);
  });
});
