import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { Entries, nameWritten, Parser, PdfName, Reference, type Value } from './pdfParser';

/** Decrypts a stream's data as stored in object `num` generation `gen`; undefined when it is stored in the clear. */
export type StreamDecryption = (data: Buffer, num: number, gen: number) => Buffer | undefined;

/**
 * How the streams of a PDF encrypted with the standard security handler decrypt when its user password is empty (as
 * pdf.js opens such a file without asking: a "permissions-restricted" PDF), as pdf.js's `CipherTransformFactory`
 * does it: RC4 with a per-object MD5 key (`/V` 1, 2, or 4 with `/CFM /V2`), AES-128-CBC with a per-object key
 * (`/V 4`, `/CFM /AESV2`) or AES-256-CBC with the file key (`/V 5`, `/R` 5 or 6). Each `/Encrypt` entry in the file
 * (a trailer's or a cross-reference stream's, an update's too) is tried with each `/ID`, so every key pdf.js may
 * use is found. None when the file names no encryption dictionary; 'needs-password' when it does and no key opens it
 * with the empty password (a user password, another handler, an unknown version or crypt method): pdf.js cannot read
 * such a file without a password either.
 */
export function pdfStreamDecryptions(
  text: string,
  objectText: (num: string) => string[],
): StreamDecryption[] | 'needs-password' | undefined {
  // every value is read as pdf.js reads it, within a few readings of the file's size (past that: refused)
  const budget = { left: 4 * text.length + 16 * 1024 * 1024 };
  const read = (source: string, at: number): Value => new Parser(source, at, budget).object();
  const dictionaries = new Map<string, Entries>();
  for (const found of text.matchAll(nameWritten('Encrypt'))) {
    const value = read(text, found.index + found[0].length);
    const sources =
      value instanceof Reference
        ? objectText(String(value.number))
        : value instanceof Entries
          ? [text.slice(found.index)]
          : [];
    for (const source of sources) {
      const dictionary = value instanceof Reference ? read(source, 0) : value;
      if (dictionary instanceof Entries) dictionaries.set(source.slice(0, 4096), dictionary);
    }
  }
  if (budget.left < 0) return 'needs-password';
  if (dictionaries.size === 0) return undefined;
  const resolve = (value: Value | undefined): Value | undefined => {
    if (!(value instanceof Reference)) return value;
    const source = objectText(String(value.number)).at(-1);
    return source === undefined ? undefined : read(source, 0);
  };
  const ids = new Set<string>();
  for (const found of text.matchAll(nameWritten('ID'))) {
    const value = resolve(read(text, found.index + found[0].length));
    const first = Array.isArray(value) ? value[0] : undefined;
    if (typeof first === 'string') ids.add(Buffer.from(first, 'latin1').toString('latin1'));
  }
  if (budget.left < 0) return 'needs-password';
  if (ids.size === 0) ids.add('');
  if (dictionaries.size * ids.size > 64) return 'needs-password';
  const decryptions = new Map<string, StreamDecryption>();
  for (const dictionary of dictionaries.values()) {
    for (const id of ids) {
      const found = decryptionOf(dictionary, Buffer.from(id, 'latin1'), resolve);
      if (found) decryptions.set(found.name, found.decrypt);
    }
  }
  return budget.left < 0 ? 'needs-password' : decryptions.size ? [...decryptions.values()] : 'needs-password';
}

/** The empty password's stream decryption for one encryption dictionary and file ID; none when it does not open. */
function decryptionOf(
  dictionary: Entries,
  fileId: Buffer,
  resolve: (value: Value | undefined) => Value | undefined,
): { name: string; decrypt: StreamDecryption } | undefined {
  const get = (key: string): Value | undefined => resolve(dictionary.last(key));
  const filter = get('Filter');
  const algorithm = get('V');
  if (!(filter instanceof PdfName) || filter.name !== 'Standard') return undefined;
  if (algorithm !== 1 && algorithm !== 2 && algorithm !== 4 && algorithm !== 5) return undefined;
  const cf = get('CF');
  const stmf = algorithm >= 4 ? (get('StmF') ?? new PdfName('Identity')) : undefined;
  const cryptFilter = cf instanceof Entries && stmf instanceof PdfName ? resolve(cf.last(stmf.name)) : undefined;
  let keyLength = get('Length');
  if (!keyLength) {
    if (algorithm <= 3) keyLength = 40;
    else if (cryptFilter instanceof Entries) {
      const length = resolve(cryptFilter.last('Length'));
      keyLength = typeof length === 'number' && length ? length : 128;
      if (keyLength < 40) keyLength <<= 3;
    }
  }
  if (typeof keyLength !== 'number' || !Number.isInteger(keyLength) || keyLength < 40 || keyLength % 8)
    return undefined;
  const owner = bytesOf(get('O'));
  const user = bytesOf(get('U'));
  const revision = get('R');
  const encryptMetadata = algorithm >= 4 && get('EncryptMetadata') !== false;
  let key: Buffer | undefined;
  if (algorithm === 5) {
    const hash = revision === 6 ? hash20 : sha256Of;
    if (!hash(user.subarray(32, 40)).equals(user.subarray(0, 32))) return undefined;
    const ue = bytesOf(get('UE'));
    if (ue.length < 32) return undefined;
    key = aes('aes-256-cbc', hash(user.subarray(40, 48)), Buffer.alloc(16), ue.subarray(0, 32), 'decrypt');
  } else {
    if (keyLength > 128 || typeof revision !== 'number') return undefined;
    const flags = get('P');
    key = standardKey(
      fileId,
      owner.subarray(0, 32),
      user.subarray(0, 32),
      typeof flags === 'number' ? flags : 0,
      revision,
      keyLength,
      encryptMetadata,
    );
    if (key && algorithm === 4 && key.length < 16) key = Buffer.concat([key, Buffer.alloc(16 - key.length)]);
  }
  if (!key) return undefined;
  const fileKey = key;
  const name = (method: string): string => `${method}:${fileKey.toString('hex')}`;
  if (algorithm < 4)
    return { name: name('V2'), decrypt: (data, num, gen) => rc4(objectKey(fileKey, num, gen, false), data) };
  if (!(stmf instanceof PdfName)) return undefined;
  const method = cryptFilter instanceof Entries ? resolve(cryptFilter.last('CFM')) : undefined;
  if (method === undefined || (method instanceof PdfName && method.name === 'None'))
    return { name: 'None', decrypt: () => undefined };
  if (!(method instanceof PdfName)) return undefined;
  switch (method.name) {
    case 'V2':
      return { name: name('V2'), decrypt: (data, num, gen) => rc4(objectKey(fileKey, num, gen, false), data) };
    case 'AESV2':
      return {
        name: name('AESV2'),
        decrypt: (data, num, gen) => aesStream('aes-128-cbc', objectKey(fileKey, num, gen, true), data),
      };
    case 'AESV3':
      return { name: name('AESV3'), decrypt: data => aesStream('aes-256-cbc', fileKey, data) };
    default:
      return undefined;
  }
}

/** The padding that makes a password 32 bytes: all of it for the empty password. */
const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

/** The file key for the empty user password under `/R` 2 to 4 (ISO 32000-1 algorithms 2, 4 and 5); none when it is not. */
function standardKey(
  fileId: Buffer,
  owner: Buffer,
  user: Buffer,
  flags: number,
  revision: number,
  keyLength: number,
  encryptMetadata: boolean,
): Buffer | undefined {
  const permissions = Buffer.from([flags & 0xff, (flags >> 8) & 0xff, (flags >> 16) & 0xff, (flags >>> 24) & 0xff]);
  const noMetadata = revision >= 4 && !encryptMetadata ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : Buffer.alloc(0);
  let hash = md5(Buffer.concat([PASSWORD_PADDING, owner, permissions, fileId, noMetadata]));
  const bytes = keyLength >> 3;
  if (revision >= 3) for (let i = 0; i < 50; i++) hash = md5(hash.subarray(0, bytes));
  const key = hash.subarray(0, bytes);
  let check: Buffer;
  if (revision >= 3) {
    check = rc4(key, md5(Buffer.concat([PASSWORD_PADDING, fileId])));
    for (let j = 1; j <= 19; j++)
      check = rc4(
        key.map(b => b ^ j),
        check,
      );
  } else {
    check = rc4(key, PASSWORD_PADDING);
  }
  return check.every((b, i) => user[i] === b) ? key : undefined;
}

/** An object's key: the file key, the object's number and generation (and for AES `sAlT`), hashed (algorithm 1). */
function objectKey(fileKey: Buffer, num: number, gen: number, isAes: boolean): Buffer {
  const salt = [num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, gen & 0xff, (gen >> 8) & 0xff];
  if (isAes) salt.push(0x73, 0x41, 0x6c, 0x54);
  return md5(Buffer.concat([fileKey, Buffer.from(salt)])).subarray(0, Math.min(fileKey.length + 5, 16));
}

/** RC4, here as OpenSSL 3 leaves it out. */
function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    const t = s[i] ?? 0;
    j = (j + t + (key[i % key.length] ?? 0)) & 0xff;
    s[i] = s[j] ?? 0;
    s[j] = t;
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    const t = s[i] ?? 0;
    j = (j + t) & 0xff;
    s[i] = s[j] ?? 0;
    s[j] = t;
    out[n] = (data[n] ?? 0) ^ (s[(t + (s[i] ?? 0)) & 0xff] ?? 0);
  }
  return out;
}

/**
 * A stream's AES data decrypted as pdf.js does: its first 16 bytes are the IV, whole blocks after it are decrypted,
 * and the last block's padding is removed when it is valid (else kept).
 */
function aesStream(cipher: 'aes-128-cbc' | 'aes-256-cbc', key: Buffer, data: Buffer): Buffer {
  if (data.length < 32) return Buffer.alloc(0);
  const blocks = data.subarray(16, 16 + Math.floor((data.length - 16) / 16) * 16);
  const plain = aes(cipher, key, data.subarray(0, 16), blocks, 'decrypt');
  const pad = plain[plain.length - 1] ?? 0;
  const padded = pad <= 16 && plain.subarray(plain.length - pad).every(b => b === pad);
  return padded ? plain.subarray(0, plain.length - pad) : plain;
}

/** AES in CBC mode over whole blocks, without padding. */
function aes(cipher: string, key: Buffer, iv: Buffer, data: Buffer, direction: 'encrypt' | 'decrypt'): Buffer {
  const c = direction === 'encrypt' ? createCipheriv(cipher, key, iv) : createDecipheriv(cipher, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

const md5 = (data: Uint8Array): Buffer => createHash('md5').update(data).digest();
const sha256Of = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** `/R 6`'s hash of the empty password with `salt` (ISO 32000-2 algorithm 2.B), no user key. */
function hash20(salt: Uint8Array): Buffer {
  let k = sha256Of(salt);
  let e: Buffer = Buffer.alloc(1);
  for (let i = 0; i < 64 || (e[e.length - 1] ?? 0) > i - 32; i++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => k));
    e = aes('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32), k1, 'encrypt');
    const remainder = e.subarray(0, 16).reduce((sum, b) => sum + b, 0) % 3;
    k = createHash(['sha256', 'sha384', 'sha512'][remainder] ?? 'sha256')
      .update(e)
      .digest();
  }
  return k.subarray(0, 32);
}

/** A string's bytes, as pdf.js's `stringToBytes` takes them (each character's low byte); none for another value. */
const bytesOf = (value: Value | undefined): Buffer =>
  typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.alloc(0);
