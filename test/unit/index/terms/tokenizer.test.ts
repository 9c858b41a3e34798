import assert from 'node:assert/strict';
import { createTokenizer, tokenize } from '../../../../src/index/terms/tokenizer';

const plain = createTokenizer({ stopwords: false, stem: false, compounds: false });

describe('tokenize', () => {
  it('splits camelCase and acronyms', () => {
    assert.deepEqual(plain('fooBar HTTPServer XMLHttpRequest'), [
      'foo',
      'bar',
      'http',
      'server',
      'xml',
      'http',
      'request',
    ]);
  });

  it('splits at letter/digit boundaries', () => {
    assert.deepEqual(plain('utf8Decode sha256'), ['utf', '8', 'decode', 'sha', '256']);
  });

  it('splits snake_case, kebab-case and paths', () => {
    assert.deepEqual(plain('get_user_name my-component src/index/bm25.ts C:\\dir\\file.txt'), [
      'get',
      'user',
      'name',
      'my',
      'component',
      'src',
      'index',
      'bm',
      '25',
      'ts',
      'c',
      'dir',
      'file',
      'txt',
    ]);
  });

  it('keeps non-ASCII letters and lowercases them', () => {
    assert.deepEqual(plain('Größe café ÉTÉ Привет'), ['größe', 'café', 'été', 'привет']);
  });

  it('reads a run of CJK letters as its letters and their pairs, so a word is found inside a sentence', () => {
    assert.deepEqual(tokenize('東京都の天気'), [
      '東',
      '京',
      '東京',
      '都',
      '京都',
      'の',
      '都の',
      '天',
      'の天',
      '気',
      '天気',
    ]);
    const sentence = new Set(tokenize('東京都の天気は晴れです。サーバー設定ファイルを開く 설정을 저장'));
    for (const query of ['天気', '東京の天気', '設定', 'サーバー', '설정', '雨'])
      assert.equal(
        tokenize(query).filter(t => sentence.has(t)).length > 0,
        query !== '雨',
        `${query}: ${tokenize(query).join(' ')}`,
      );
    // a letter outside the Basic Multilingual Plane is one letter; Latin beside a run is read as an identifier
    assert.deepEqual(tokenize('𠮷野'), ['𠮷', '野', '𠮷野']);
    assert.deepEqual(tokenize('getUser設定'), ['get', 'user', 'getuser', '設', '定', '設定']);
  });

  it('spells a Greek letter in an identifier as its name, whatever the case around it, and leaves Greek words and units as they are', () => {
    assert.deepEqual(plain('TNF-α TNF-alpha NF-κB Δ9 µ'), [
      'tnf',
      'alpha',
      'tnf',
      'alpha',
      'nf',
      'kappa',
      'b',
      'delta',
      '9',
      'mu',
    ]);
    assert.deepEqual(tokenize('IFNγ β2'), ['ifn', 'gamma', 'ifngamma', 'beta', '2', 'beta2']);
    for (const name of ['Aβ42', 'TNFα', 'NFκB', 'ΔCt', 'IFNγ'])
      assert.deepEqual(tokenize(name.toLowerCase()), tokenize(name), name);
    assert.deepEqual(plain(`καλημέρα αβ ${'Άρης'.normalize('NFD')} μm 5μm µg`), [
      'καλημέρα',
      'αβ',
      'άρης'.normalize('NFC'),
      'μm',
      '5',
      'μm',
      '\u03bcg', // the micro sign is the Greek letter mu
    ]);
  });

  it('reads compatibility forms as their plain letters and digits, and either normal form alike', () => {
    assert.deepEqual(tokenize('CO₂ eﬃcient ＡＢＣ'), tokenize('CO2 efficient ABC'));
    assert.deepEqual(tokenize('café Άρης'.normalize('NFD')), tokenize('café Άρης'.normalize('NFC')));
    // what NFKC makes of a sign divides pieces, and no term holds a space or a sign
    assert.deepEqual(plain('½'), ['1', '2']);
    assert.ok(
      tokenize('ﷺ ⑴ ℃').every(t => /^[\p{L}\p{M}\p{N}]+$/u.test(t)),
      tokenize('ﷺ ⑴ ℃').join('|'),
    );
  });

  it('adds the joined identifier after its pieces when compounds are on', () => {
    const t = createTokenizer({ stopwords: false, stem: false, compounds: true });
    assert.deepEqual(t('getUserName x'), ['get', 'user', 'name', 'getusername', 'x']);
    assert.deepEqual(t('get_user_name'), ['get', 'user', 'name', 'getusername']);
    assert.deepEqual(t('plain'), ['plain']);
  });

  it('drops English stopwords and stems by default', () => {
    assert.deepEqual(tokenize('How to check if a variable is iterable'), ['how', 'check', 'variabl', 'iter']);
  });

  it('removes a possessive s', () => {
    assert.deepEqual(tokenize("the user's files"), ['user', 'file']);
  });

  it('returns nothing for punctuation only', () => {
    assert.deepEqual(tokenize('(){}[]; -- __ ..'), []);
  });

  it('gives the same terms on repeated calls (the identifier cache is not shared mutable output)', () => {
    const first = tokenize('parseHttpHeaders');
    first.push('mutated');
    assert.deepEqual(tokenize('parseHttpHeaders'), ['pars', 'http', 'header', 'parsehttpheaders']);
  });
});
