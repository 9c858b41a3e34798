/**
 * Large typed arrays sent over a process's IPC channel in slices. The channel deserializes each message in one
 * synchronous step on the receiving thread, so a sync's whole result as one message would hold that thread for as
 * long as it takes to copy the whole index. Sent as slices of at most SLICE_BYTES, each step is short, and the
 * receiver copies every slice once into an array that owns its buffer.
 */

/** Typed arrays of more bytes than this are sent apart from the message, in slices of at most SLICE_BYTES. */
export const SLICED_FROM = 64 << 10;
export const SLICE_BYTES = 2 << 20;

/** One slice of array `id` (`byteLength` bytes in all), its bytes starting at `offset`. */
export interface SliceMessage {
  type: 'slice';
  id: number;
  byteLength: number;
  offset: number;
  bytes: Uint8Array;
}

/** What stands for a sliced array in the message that follows its slices. */
interface SlicedArray {
  $sliced: number;
  kind: string;
  length: number;
}

type TypedArrayType = new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;

const TYPES: Record<string, TypedArrayType> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** An object literal's kind of value: what is walked for arrays (a Map, a Set, a typed array is sent as it is). */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

export const isSliceMessage = (message: unknown): message is SliceMessage =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'slice';

/**
 * Sends the slices of every typed array over SLICED_FROM bytes in `message`, then the message with each of those arrays
 * replaced by a stand-in (the message itself is left as it was). Other values are sent as they are.
 */
export function sendSliced(message: object, send: (message: object) => void): void {
  let next = 0;
  const strip = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value)) {
      const kind = value.constructor.name;
      if (value.byteLength <= SLICED_FROM || !TYPES[kind] || value instanceof DataView) return value;
      const id = next++;
      for (let offset = 0; offset < value.byteLength; offset += SLICE_BYTES) {
        const size = Math.min(SLICE_BYTES, value.byteLength - offset);
        const bytes = new Uint8Array(value.buffer, value.byteOffset + offset, size);
        send({ type: 'slice', id, byteLength: value.byteLength, offset, bytes } satisfies SliceMessage);
      }
      const length = value.byteLength / (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      return { $sliced: id, kind, length } satisfies SlicedArray;
    }
    if (Array.isArray(value)) return value.map(strip);
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[key] = strip(v);
      return out;
    }
    return value;
  };
  send(strip(message) as object);
}

/** Puts the slices of the arrays together as they arrive, and the arrays back into the message that follows them. */
export class SliceAssembler {
  private readonly arrays = new Map<number, Uint8Array<ArrayBuffer>>();

  /** Copies one slice into its array, made when its first slice arrives. */
  add(slice: SliceMessage): void {
    let bytes = this.arrays.get(slice.id);
    if (!bytes) {
      bytes = new Uint8Array(slice.byteLength);
      this.arrays.set(slice.id, bytes);
    }
    bytes.set(slice.bytes, slice.offset);
  }

  /**
   * `message` with every stand-in replaced by its array and every other typed array given a buffer of its own (in
   * place); the slices received are let go. Node's IPC deserializer may make a received typed array a view into the
   * whole message (a Uint8Array always, another type when aligned), so that one array kept would keep every byte of
   * the message alive.
   */
  restore<T>(message: T): T {
    const put = (value: unknown): unknown => {
      if (ArrayBuffer.isView(value)) return owning(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = put(value[i]);
        return value;
      }
      if (!isPlainObject(value)) return value;
      const stand = value as Partial<SlicedArray>;
      if (typeof stand.$sliced === 'number' && typeof stand.kind === 'string' && typeof stand.length === 'number') {
        const bytes = this.arrays.get(stand.$sliced);
        const Type = TYPES[stand.kind];
        if (!bytes || !Type) throw new Error(`The index process sent an array it did not send the slices of.`);
        return new Type(bytes.buffer, 0, stand.length);
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = put(record[key]);
      return value;
    };
    const restored = put(message) as T;
    this.arrays.clear();
    return restored;
  }
}

/** `view` when it spans its whole buffer, else a view of the same type over a copy of its bytes alone. */
function owning(view: ArrayBufferView): ArrayBufferView {
  if (view.byteLength === view.buffer.byteLength) return view;
  const bytes = new Uint8Array(view.byteLength);
  bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  if (view instanceof DataView) return new DataView(bytes.buffer);
  const Type = view.constructor as TypedArrayType;
  const size = (view as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new Type(bytes.buffer, 0, view.byteLength / size);
}
