import { hashBytes } from '../index';

/** The key a chunk's vector is cached and stored under: the hash of exactly the text that was embedded. */
export const contentHash = (text: string): string => hashBytes(Buffer.from(text, 'utf8'));
