import assert from 'node:assert/strict';
import { FrontCodedList } from '../../../src/index/base/frontCodedList';
import { StringList } from '../../../src/index/base/stringList';
import type { SegmentData } from '../../../src/index/segments/segment';

/** Every array and string table of a segment as plain values (its id aside), for comparing two segments' contents. */
export function segmentArrays(data: SegmentData | undefined): Record<string, unknown> {
  assert.ok(data, 'no segment');
  return Object.fromEntries(
    Object.entries(data)
      .filter(([key]) => key !== 'id')
      .map(([key, value]) => [
        key,
        value instanceof StringList || value instanceof FrontCodedList
          ? value.toArray()
          : ArrayBuffer.isView(value)
            ? [...(value as Uint32Array)]
            : value,
      ]),
  );
}
