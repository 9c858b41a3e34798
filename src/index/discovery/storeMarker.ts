/**
 * The file that marks a folder as a Grounded index store: Grounded writes and deletes files only in a marked folder
 * (store/storeFolder.ts), and the walk never enters one (the index does not index itself).
 */
export const STORE_MARKER = '.grounded-index';
