/** The public surface of bric's core (see ../shared/CONTRACT.md): re-exports only. @module */
export { createCodec, type Codec } from './codec/rs.js';
export { CodecInputError, CodecParamsError } from './codec/errors.js';
export { sha256d, netstring, taggedHash, taggedPairHash, createTaggedHasher, type TaggedHasher } from './hash/tagged.js';
export * from './hash/tags.js';
export { HashTree, IncompleteHashTree, emptyLeafHash, pairHash, HASH_BYTES } from './hash/hashtree.js';
export { BadHashError, NotEnoughHashesError } from './hash/errors.js';
export { parseCap, formatCap } from './cap/parse.js';
export { toVerifyCap, CHK_PREFIX } from './cap/chk.js';
export { CHK_VERIFIER_PREFIX } from './cap/verifier.js';
export { LIT_PREFIX } from './cap/lit.js';
export { deriveStorageIndex, KEY_BYTES, STORAGE_INDEX_BYTES } from './cap/storage-index.js';
export { CapError, BadCapPrefixError, MalformedCapError, CapParamsError } from './cap/errors.js';
export type { Cap, CapKind, ChkReadCap, ChkVerifyCap, LitCap, CapCodec } from './cap/types.js';
