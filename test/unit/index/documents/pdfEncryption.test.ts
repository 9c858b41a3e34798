import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { extractPdf } from '../../../../src/index/documents/pdfDocument';
import { pdfStreamsWithin } from '../../../../src/index/documents/pdfStreamSizes';
import { encryptedPdf, pdfOfObjects } from './pdfFixtures';

const TEXT = 'BT /F1 12 Tf 50 700 Td (Quarterly figures) Tj ET\n';
const MB = 1024 * 1024;
const PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const FILE_ID = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const OWNER = Buffer.alloc(32, 0x4f);
const PERMISSIONS = -3904;

type Scheme = 'RC4-40' | 'RC4-128' | 'AESV2' | 'AESV3' | 'Identity';

const md5 = (...parts: Uint8Array[]): Buffer => createHash('md5').update(Buffer.concat(parts)).digest();

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

const aes = (cipher: string, key: Buffer, iv: Buffer, data: Buffer, pad = true): Buffer => {
  const c = createCipheriv(cipher, key, iv);
  c.setAutoPadding(pad);
  return Buffer.concat([c.update(data), c.final()]);
};

/** ISO 32000-2 algorithm 2.B for the empty password and no user key. */
function hash20(salt: Buffer): Buffer {
  let k = createHash('sha256').update(salt).digest();
  let e: Buffer = Buffer.alloc(1);
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    e = aes('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32), Buffer.concat(Array(64).fill(k)), false);
    const sum = e.subarray(0, 16).reduce((a, b) => a + b, 0);
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!)
      .update(e)
      .digest();
  }
  return k.subarray(0, 32);
}

/**
 * How a scheme encrypts a PDF whose user password is `password` (empty: opened without one): its encryption
 * dictionary and how it encrypts object `num`'s stream data, as a writer does (ISO 32000-1 §7.6, ISO 32000-2 §7.6.4).
 */
function encryption(
  scheme: Scheme,
  password = '',
): { dictionary: string; encrypt: (data: Buffer, num: number) => Buffer } {
  const hex = (b: Buffer): string => `<${b.toString('hex')}>`;
  if (scheme === 'AESV3') {
    const fileKey = Buffer.alloc(32, 0x5a);
    const [validation, keySalt] = [Buffer.alloc(8, 1), Buffer.alloc(8, 2)];
    const pw = Buffer.from(password, 'utf8');
    const hash = (salt: Buffer): Buffer => (pw.length ? hash20(Buffer.concat([pw, salt])) : hash20(salt));
    const u = Buffer.concat([hash(validation), validation, keySalt]);
    const ue = aes('aes-256-cbc', hash(keySalt), Buffer.alloc(16), fileKey, false);
    return {
      dictionary:
        `<< /Filter /Standard /V 5 /R 6 /Length 256 /P ${PERMISSIONS} /O ${hex(Buffer.alloc(48, 0x4f))} ` +
        `/U ${hex(u)} /OE ${hex(Buffer.alloc(32))} /UE ${hex(ue)} /Perms ${hex(Buffer.alloc(16))} ` +
        '/CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF >>',
      encrypt: data => {
        const iv = Buffer.alloc(16, 7);
        return Buffer.concat([iv, aes('aes-256-cbc', fileKey, iv, data)]);
      },
    };
  }
  const [v, r, bits] = scheme === 'RC4-40' ? [1, 2, 40] : scheme === 'RC4-128' ? [2, 3, 128] : [4, 4, 128];
  const padded = Buffer.concat([Buffer.from(password, 'latin1'), PADDING]).subarray(0, 32);
  const p = Buffer.alloc(4);
  p.writeInt32LE(PERMISSIONS);
  let key = md5(padded, OWNER, p, FILE_ID);
  if (r >= 3) for (let i = 0; i < 50; i++) key = md5(key.subarray(0, bits / 8));
  key = key.subarray(0, bits / 8);
  let u: Buffer;
  if (r === 2) u = rc4(key, PADDING);
  else {
    u = rc4(key, md5(PADDING, FILE_ID));
    for (let j = 1; j <= 19; j++)
      u = rc4(
        key.map(b => b ^ j),
        u,
      );
    u = Buffer.concat([u, Buffer.alloc(16)]);
  }
  const objectKey = (num: number, salt: string): Buffer =>
    md5(key, Buffer.from([num & 0xff, (num >> 8) & 0xff, num >> 16, 0, 0]), Buffer.from(salt, 'latin1')).subarray(
      0,
      Math.min(key.length + 5, 16),
    );
  const common = `/Filter /Standard /V ${v} /R ${r} /Length ${bits} /P ${PERMISSIONS} /O ${hex(OWNER)} /U ${hex(u)}`;
  if (scheme === 'RC4-40' || scheme === 'RC4-128')
    return { dictionary: `<< ${common} >>`, encrypt: (data, num) => rc4(objectKey(num, ''), data) };
  const cfm = scheme === 'AESV2' ? '/AESV2' : '/V2';
  return {
    dictionary: `<< ${common} /CF << /StdCF << /CFM ${cfm} /Length 16 >> >> /StmF /${scheme === 'Identity' ? 'Identity' : 'StdCF'} /StrF /StdCF >>`,
    encrypt: (data, num) => {
      if (scheme === 'Identity') return data;
      const iv = Buffer.alloc(16, 9);
      return Buffer.concat([iv, aes('aes-128-cbc', objectKey(num, 'sAlT'), iv, data)]);
    },
  };
}

/**
 * A one-page PDF drawing `content` (deflated, or as `encode` writes it for the filters `entries` name), encrypted with `scheme` (its content stream as object `keyedAs`
 * would be, when given: a key pdf.js does not use for it), its encryption dictionary as `edit` rewrites it and the
 * trailer's `/Encrypt` entry naming it as `reference`.
 */
function encryptedPdfOf(
  scheme: Scheme,
  content: Buffer,
  {
    password = '',
    keyedAs = 4,
    entries = '/Filter /FlateDecode',
    encode = (data: Buffer): Buffer => deflateSync(data),
    edit = (dictionary: string): string => dictionary,
    reference = '6 0 R',
  } = {},
): Buffer {
  const encrypted = encryption(scheme, password);
  const { encrypt } = encrypted;
  const dictionary = edit(encrypted.dictionary);
  const data = encrypt(encode(content), keyedAs);
  const pdf = pdfOfObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${data.length} ${entries} >>\nstream\n${data.toString('latin1')}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    dictionary,
  ]).toString('latin1');
  const id = `<${FILE_ID.toString('hex')}>`;
  return Buffer.from(pdf.replace('/Root 1 0 R >>', `/Root 1 0 R /Encrypt ${reference} /ID [${id} ${id}] >>`), 'latin1');
}

/** A content stream drawing TEXT, then `spaces` spaces (nothing to draw, and a thousand to one deflated). */
const padded = (spaces: number): Buffer => Buffer.concat([Buffer.from(TEXT), Buffer.alloc(spaces, 0x20)]);

const SCHEMES: Scheme[] = ['RC4-40', 'RC4-128', 'AESV2', 'AESV3', 'Identity'];

describe('PDF stream sizes, encrypted PDFs', () => {
  it('measures the streams of a PDF encrypted with an empty user password decrypted, and reads it', async () => {
    for (const scheme of SCHEMES) {
      const pdf = encryptedPdfOf(scheme, padded(2 * MB));
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, scheme);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, scheme);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 1.5 * MB), false, scheme);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', scheme);
    }
  });

  it('skips as too large, before pdf.js decodes it, an encrypted PDF whose content inflates past the cap', async function () {
    this.timeout(120_000);
    const bomb = padded(256 * MB + MB);
    for (const scheme of ['RC4-128', 'AESV2'] as const) {
      const pdf = encryptedPdfOf(scheme, bomb);
      assert.ok(pdf.length < MB, scheme);
      assert.deepEqual(await extractPdf(pdf, 60_000), { kind: 'skip', reason: 'too-large' }, scheme);
    }
  });

  it('refuses an encrypted PDF whose streams do not decrypt to anything that can be measured', async () => {
    for (const scheme of ['RC4-128', 'AESV2', 'AESV3'] as const) {
      // encrypted with another object's key: the check cannot tell what pdf.js makes of it
      const keyedAs = scheme === 'AESV3' ? 4 : 9;
      const pdf = encryptedPdfOf(scheme, padded(2 * MB), { keyedAs });
      if (scheme === 'AESV3') {
        // one file key for all objects: corrupt the ciphertext's first block instead
        const text = pdf.toString('latin1');
        const at = text.indexOf('stream\n') + 7 + 16;
        pdf.fill(0, at, at + 16);
      }
      assert.equal(pdfStreamsWithin(pdf, 100 * MB, 100 * MB), false, scheme);
      assert.deepEqual(await extractPdf(pdf, 60_000), { kind: 'skip', reason: 'too-large' }, scheme);
    }
  });

  it('measures a stream decrypted as the object pdf.js reads it, not as a header within its dictionary says', async () => {
    // a string in the content stream's dictionary holds `9 0 obj`: pdf.js reads object 4 there, and decrypts with 4's
    // key; filters that decode another key's garbage to little, without failing
    const hexFlate = (data: Buffer): Buffer => Buffer.from(`${deflateSync(data).toString('hex')}>`);
    const runLength = (data: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from([data.length > 128 ? 127 : data.length - 1]),
        data.subarray(0, 128),
        Buffer.from(Array.from({ length: Math.ceil((data.length - 128) / 128) }, () => [129, 0x20]).flat()),
        Buffer.from([128]),
      ]);
    for (const scheme of ['RC4-128', 'AESV2'] as const) {
      for (const [filters, encode] of [
        ['/Filter [/ASCIIHexDecode /FlateDecode]', hexFlate],
        ['/Filter /RunLengthDecode', runLength],
      ] as const) {
        const entries = `${filters} /Note (9 0 obj)`;
        const pdf = encryptedPdfOf(scheme, padded(2 * MB), { entries, encode });
        const name = `${scheme} ${filters}`;
        const extraction = await extractPdf(pdf, 60_000);
        assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
        assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
        assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
      }
    }
  });

  it('skips a PDF that needs a user password as encrypted, without reading it', async () => {
    assert.equal(pdfStreamsWithin(encryptedPdf(), 100 * MB, 100 * MB), 'needs-password');
    assert.deepEqual(await extractPdf(encryptedPdf(), 60_000), { kind: 'skip', reason: 'encrypted' });
    for (const scheme of ['RC4-128', 'AESV2', 'AESV3'] as const) {
      const pdf = encryptedPdfOf(scheme, padded(2 * MB), { password: 'reader' });
      assert.equal(pdfStreamsWithin(pdf, 100 * MB, 100 * MB), 'needs-password', scheme);
      assert.deepEqual(await extractPdf(pdf, 60_000), { kind: 'skip', reason: 'encrypted' }, scheme);
    }
    // another security handler than the standard one
    const other = encryptedPdfOf('RC4-128', padded(10))
      .toString('latin1')
      .replace('/Filter /Standard', '/Filter /Adobe.PubSec');
    assert.equal(pdfStreamsWithin(Buffer.from(other, 'latin1'), 100 * MB, 100 * MB), 'needs-password');
  });

  it('reads the encryption dictionary’s numbers as pdf.js does: /R 4e0, /V 2.0, /Length 1.28e2, /Encrypt 6.0 0 R', async () => {
    const cases: [Scheme, { edit?: (dictionary: string) => string; reference?: string }][] = [
      ['AESV2', { edit: d => d.replace('/R 4 ', '/R 4e0 ') }],
      ['RC4-128', { edit: d => d.replace('/V 2 ', '/V 2.0 ').replace('/Length 128 ', '/Length 1.28e2 ') }],
      ['RC4-128', { edit: d => d.replace('/P -3904 ', '/P --3904 ') }],
      // references to the dictionary: without reading them, the file's streams were measured still encrypted
      ['AESV2', { reference: '6.0 0 R' }],
      ['RC4-128', { reference: '+6 0 R' }],
      ['AESV3', { reference: '6e0 0 R' }],
    ];
    for (const [scheme, options] of cases) {
      const pdf = encryptedPdfOf(scheme, padded(2 * MB), options);
      const name = `${scheme} ${options.edit?.('/R 4 /V 2 /Length 128 /P -3904 ') ?? options.reference}`;
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('reads the encryption dictionary’s strings and the file ID written as literal strings with escapes', async () => {
    // every byte that is not plain ASCII as three octal digits, parentheses and backslashes escaped, lines joined
    const literal = (bytes: Buffer): string =>
      `(${[...bytes]
        .map((b, i) => {
          const c = String.fromCharCode(b);
          const escaped =
            b < 0x20 || b > 0x7e ? `\\${b.toString(8).padStart(3, '0')}` : /[()\\]/.test(c) ? `\\${c}` : c;
          return i === 8 ? `\\\n${escaped}` : escaped;
        })
        .join('')})`;
    const asLiteral = (text: string): string =>
      text.replace(/<([0-9a-f]+)>/g, (_, hex: string) => literal(Buffer.from(hex, 'hex')));
    for (const scheme of ['RC4-128', 'AESV2', 'AESV3'] as const) {
      const pdf = Buffer.from(
        asLiteral(encryptedPdfOf(scheme, padded(2 * MB), { edit: asLiteral }).toString('latin1')),
        'latin1',
      );
      assert.ok(!pdf.toString('latin1').includes('/ID [<'), scheme);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', scheme);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, scheme);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, scheme);
    }
  });

  it('refuses, without reading for ever, an encryption entry whose value nests deeper than is read', () => {
    for (const depth of [40, 300]) {
      const pdf = encryptedPdfOf('RC4-128', padded(10), { reference: `${'<< /A '.repeat(depth)}>>` });
      assert.equal(pdfStreamsWithin(pdf, 100 * MB, 100 * MB), 'needs-password', String(depth));
    }
  });

  it('finds the trailer’s /Encrypt and /ID however their names are written: /Encr#79pt, /I#44', async () => {
    for (const scheme of ['RC4-128', 'AESV2'] as const) {
      for (const [key, escaped] of [
        ['/Encrypt 6', '/Encr#79pt 6'],
        ['/Encrypt 6', '/#45n#63rypt 6'],
        ['/ID [', '/I#44 ['],
      ] as const) {
        const written = encryptedPdfOf(scheme, padded(2 * MB))
          .toString('latin1')
          .replace(key, escaped);
        const pdf = Buffer.from(written, 'latin1');
        const name = `${scheme} ${escaped}`;
        const extraction = await extractPdf(pdf, 60_000);
        assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
        assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
        assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
      }
    }
  });
});
