import type { TermCounter } from './termCounter';
import { tokenize, type Tokenizer } from './tokenizer';
import { TokenizerTermCounter } from './tokenizerTermCounter';
import { wasmTermCounter } from './wasmTermCounter';

/** A counter for `tokenizer`: the shipped tokenizer counts in WebAssembly over UTF-8 bytes; any other runs as given. */
export function createTermCounter(tokenizer: Tokenizer): TermCounter {
  return tokenizer === tokenize ? wasmTermCounter() : new TokenizerTermCounter(tokenizer);
}
