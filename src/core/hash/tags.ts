/**
 * Every hash tag bric uses, one versioned constant each (Tahoe's util/hashutil.py *_TAG style).
 * A tag separates hash domains: the same bytes hashed for two purposes never collide. Changing a
 * tag changes every derived value, so tags are append-only: a new meaning gets a new `_v2` tag.
 * @module
 */

/** Read key → storage index (16 bytes): where the shares live, learnable without the key. */
export const TAG_STORAGE_INDEX = 'bric_storage_index_v1';

/** Padding leaves of a Merkle tree; hashed with the leaf number, as Tahoe's empty_leaf_hash. */
export const TAG_MERKLE_EMPTY_LEAF = 'bric_merkle_empty_leaf_v1';

/** Interior nodes of a Merkle tree: pair hash of the left and right child. */
export const TAG_MERKLE_INTERIOR = 'bric_merkle_interior_node_v1';

/** One erasure-coded block of one share (leaf of a block hash tree). */
export const TAG_BLOCK = 'bric_block_v1';

/** One encrypted segment (leaf of the crypttext hash tree). */
export const TAG_CRYPTTEXT_SEGMENT = 'bric_crypttext_segment_v1';

/** One plaintext segment (reserved: Tahoe dropped plaintext hashes; kept so the name is taken). */
export const TAG_PLAINTEXT_SEGMENT = 'bric_plaintext_segment_v1';

/** The URI extension block (UEB); its hash goes into the readcap. */
export const TAG_UEB = 'bric_ueb_v1';

/** Convergent encryption: key = H(secret, params, plaintext), so equal files share shares. */
export const TAG_CONVERGENCE_KEY = 'bric_convergence_key_v1';

/** Whole-file plaintext hash. */
export const TAG_PLAINTEXT = 'bric_plaintext_v1';

/** Whole-file crypttext hash. */
export const TAG_CRYPTTEXT = 'bric_crypttext_v1';

/** Derivation of the cipher key (and nonce material) from the read key. */
export const TAG_CIPHER_KEY = 'bric_cipher_key_v1';

/** Lease secrets a client gives a storage server (future: garbage collection). */
export const TAG_LEASE_RENEW_SECRET = 'bric_lease_renew_secret_v1';
export const TAG_LEASE_CANCEL_SECRET = 'bric_lease_cancel_secret_v1';

/** Grid secret → public room id on the signaling server (the server never learns the secret). */
export const TAG_GRID_ROOM_ID = 'bric_grid_room_id_v1';

/** Proof that a peer knows the grid secret (bound to the session it is shown in). */
export const TAG_GRID_PROOF = 'bric_grid_proof_v1';

/** Client lease secret + storage index → per-file secrets (Tahoe's FILE_RENEWAL_TAG / FILE_CANCEL_TAG). */
export const TAG_FILE_RENEW_SECRET = 'bric_file_renew_secret_v1';
export const TAG_FILE_CANCEL_SECRET = 'bric_file_cancel_secret_v1';

/** Per-file secret + node id → the secret one server is given (Tahoe's BUCKET_RENEWAL_TAG / BUCKET_CANCEL_TAG). */
export const TAG_BUCKET_RENEW_SECRET = 'bric_bucket_renew_secret_v1';
export const TAG_BUCKET_CANCEL_SECRET = 'bric_bucket_cancel_secret_v1';

/** Storage index ‖ node id → a server's place on that file's permuted ring (Tahoe's permute_server_hash). */
export const TAG_PERMUTE_SERVER = 'bric_permute_server_v1';

// --- Mutable files (SSK, Tahoe's SDMF) and directories (src/core/cap/ssk*.ts, mutable/, dirnode/) ---

/** Write key (the ed25519 signing key seed) → read key, 16 bytes (Tahoe's ssk_readkey_hash). */
export const TAG_SSK_READ_KEY = 'bric_ssk_read_key_v1';

/** Read key → storage index of a mutable slot, 16 bytes (Tahoe's ssk_storage_index_hash). */
export const TAG_SSK_STORAGE_INDEX = 'bric_ssk_storage_index_v1';

/** Verification (public) key → its fingerprint, carried by read and verify caps (Tahoe's ssk_pubkey_fingerprint_hash). */
export const TAG_SSK_PUBKEY_FINGERPRINT = 'bric_ssk_pubkey_fingerprint_v1';

/** Write key → write enabler master, then master + node id → one server's write enabler (Tahoe's ssk_write_enabler_*_hash). */
export const TAG_SSK_WRITE_ENABLER_MASTER = 'bric_ssk_write_enabler_master_v1';
export const TAG_SSK_WRITE_ENABLER = 'bric_ssk_write_enabler_v1';

/** Salt of one version + read key → that version's ChaCha20 key (Tahoe's ssk_readkey_data_hash). */
export const TAG_SSK_DATA_KEY = 'bric_ssk_data_key_v1';

/** Domain of the ed25519 signature over a mutable share's header (signed message = netstring(tag) ‖ header). */
export const TAG_SSK_SIGNATURE = 'bric_ssk_signature_v1';

/** Directory write key → the key that hides child writecaps from read-only holders (Tahoe's mutable_rwcap_key_hash). */
export const TAG_DIR_WRITECAP_KEY = 'bric_dir_writecap_key_v1';

/** Per-entry salt of an encrypted child writecap (keyed, so equal writecaps in two entries look unrelated). */
export const TAG_DIR_WRITECAP_SALT = 'bric_dir_writecap_salt_v1';

// --- Peer identity on the signaling path (src/core/wire/node-key.ts, signed-sdp.ts) ---

/** Node identity seed → the node's ed25519 signing key, which signs every offer and answer it sends. */
export const TAG_NODE_SIGNING_KEY = 'bric_node_signing_key_v1';

/** Node public key → its signaling peer id (16 bytes): a peer id names exactly one key, so a relay cannot swap in its own. */
export const TAG_PEER_ID = 'bric_peer_id_v1';

/** Domain of the ed25519 signature over an offer or answer (signed message = netstring(tag) ‖ netstrings of room, from, to, sid, type, SDP). */
export const TAG_SDP_SIGNATURE = 'bric_sdp_signature_v1';

/** A join proof: a node signs the signaling server's nonce, the room and its peer id (wire/join-proof.ts). */
export const TAG_SIGNAL_JOIN = 'bric_signal_join_v1';
