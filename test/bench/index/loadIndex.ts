import { INSTALL_BUDGET_MS } from '../../../src/index/build/indexWorkerClient';
import { createYielder } from '../../../src/index/base/yieldToEventLoop';
import { SegmentedIndex } from '../../../src/index/segments/segmentedIndex';
import { IndexStore, snapshotOf } from '../../../src/index/store/indexStore';

/** Loads the store on this thread as the host would: in steps of a few ms, so that the lag timer can run. */
export async function loadIndex(dir: string): Promise<SegmentedIndex> {
  const step = createYielder(undefined, INSTALL_BUDGET_MS);
  const stored = await new IndexStore(dir).load(step);
  if (!stored) throw new Error(`no store in ${dir}`);
  return SegmentedIndex.open(snapshotOf(stored), step);
}
