/**
 * Every bound in bric, in one place, each with the reason for its value. Network input, stored
 * data and user settings are checked against these and nothing else.
 * @module
 */

/** Reed-Solomon over GF(2^8) has at most 256 distinct evaluation points (zfec's limit). */
export const MAX_SHARES = 256;

/** Default encoding, Tahoe's: any 3 of 10 shares rebuild the file; 7 distinct servers must hold them. */
export const DEFAULT_K = 3;
export const DEFAULT_HAPPY = 7;
export const DEFAULT_N = 10;

/** Default segment size: Tahoe moved to 128 KiB → 1 MiB; see the bench for the measurement. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

/** Largest segment a decoder accepts from a UEB (a hostile UEB must not make us allocate gigabytes). */
export const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

/** Files at or below this size live inside a LIT cap (Tahoe's URI:LIT threshold is 55 bytes). */
export const LIT_MAX_BYTES = 55;

/** Largest file the immutable format describes (2^53 − 1: offsets are safe integers). */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER;
