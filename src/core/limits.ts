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

// --- Signaling server and client (signaling/server.ts, src/core/wire/signal.ts) ---

/** Largest WebSocket message the signaling server accepts: an SDP is 1–4 KiB; ws's 100 MiB default invites abuse. */
export const SIGNAL_MAX_PAYLOAD_BYTES = 16 * 1024;
/** Longest SDP relayed: it must fit one message together with its envelope. */
export const SIGNAL_MAX_SDP_CHARS = 12 * 1024;
/** Longest ICE candidate line (RFC 8839 candidate lines are 100–200 characters). */
export const SIGNAL_MAX_CANDIDATE_CHARS = 1024;
/** Rooms (grids) one socket may be in at once: a tab is in one grid, a few allow switching. */
export const SIGNAL_MAX_ROOMS_PER_SOCKET = 4;
/** Peers per room: the presence list stays one small message, and a tab cannot mesh with more (NOTES: ≤500 connections). */
export const SIGNAL_MAX_PEERS_PER_ROOM = 256;
/** Sockets one signaling process serves at once (each costs a little memory and a heartbeat). */
export const SIGNAL_MAX_SOCKETS = 4096;
/** Token bucket per socket: sustained messages per second (a tab dialling 10 peers with trickle ICE sends ~100 at once). */
export const SIGNAL_RATE_PER_SECOND = 50;
/** Token bucket per socket: the burst allowed on top of the sustained rate. */
export const SIGNAL_RATE_BURST = 200;
/** Malformed or rate-limited messages tolerated from one socket before it is closed (1008). */
export const SIGNAL_MAX_STRIKES = 20;
/** Heartbeat: ping every 30 s and terminate sockets that did not answer the last ping (ws README). */
export const SIGNAL_HEARTBEAT_MS = 30_000;
/** Bytes queued toward one socket beyond which relays to it are dropped: a stalled reader cannot grow server memory. */
export const SIGNAL_MAX_BUFFERED_BYTES = 1024 * 1024;
/** ICE servers the signaling server hands out, and the length of each URL or credential. */
export const SIGNAL_MAX_ICE_SERVERS = 8;
export const SIGNAL_MAX_ICE_FIELD_CHARS = 256;
/** Signaling client reconnect backoff: first wait and the ceiling (doubling, with jitter). */
export const SIGNAL_RECONNECT_MIN_MS = 500;
export const SIGNAL_RECONNECT_MAX_MS = 30_000;

// --- Peer links and rpc (src/core/wire/) ---

/** Largest frame on a data channel: Chromium's maxMessageSize (NOTES: one byte more makes send() throw). */
export const MAX_FRAME_BYTES = 262_144;
/** Frame size rpc cuts messages into: 64–256 KiB reach the channel's best throughput (NOTES); 64 KiB interleaves requests finely. */
export const RPC_FRAME_BYTES = 65_536;
/** Largest rpc message (request or response): one block of the largest segment (k = 1) plus room for its header. */
export const MAX_RPC_MESSAGE_BYTES = MAX_SEGMENT_BYTES + 64 * 1024;
/** Bytes of inbound messages being reassembled on one link at once (declared sizes count when the first frame arrives). */
export const MAX_RPC_REASSEMBLY_BYTES = 64 * 1024 * 1024;
/** Outbound requests in flight to one peer; further requests wait for a slot (Tahoe pipelines a handful per server). */
export const MAX_RPC_PENDING_REQUESTS = 64;
/** Inbound requests one peer may have running at us; beyond this they are answered with PeerBusyError. */
export const MAX_RPC_CONCURRENT_INBOUND = 64;
/** Malformed frames tolerated on one link before it is closed: a few may be a bug, many are an attack. */
export const MAX_RPC_MALFORMED_FRAMES = 16;
/** Request timeout when the caller gives none: no request may wait forever on a hung peer. */
export const RPC_DEFAULT_TIMEOUT_MS = 60_000;
/** Method names are short ASCII words. */
export const MAX_RPC_METHOD_CHARS = 64;
/** Error text carried back from a remote handler (name, then message), in bytes. */
export const MAX_RPC_ERROR_NAME_BYTES = 64;
export const MAX_RPC_ERROR_MESSAGE_BYTES = 1024;
/** send() waits while more than this is queued on a link (NOTES: the channel queue holds at most 16 MiB, then throws). */
export const LINK_HIGH_WATERMARK_BYTES = 1024 * 1024;
/** Frames a link holds while nobody receives (between the grid proof and rpc taking over); beyond, the link closes. */
export const LINK_MAX_HELD_FRAMES = 256;
/** Time allowed to prove the grid secret once the data channel is open. */
export const GRID_PROOF_TIMEOUT_MS = 10_000;

// --- Immutable files (src/core/immutable/) ---

/** Segments one immutable file may have: hash-tree node indices stay small, and 2^32 × 1 MiB = 4 PiB is no real limit. */
export const MAX_SEGMENTS = 2 ** 32;
/** Largest UEB read from a share before its hash is checked (v1 is 96 bytes; room for later versions, none for abuse). */
export const MAX_UEB_BYTES = 4096;
/** Segments the encoder and decoder keep in flight by default: enough to overlap reading, CPU work and writing. */
export const DEFAULT_PIPELINE_DEPTH = 3;
/** Most segments in flight a caller may ask for: memory is segment size × depth × N/k. */
export const MAX_PIPELINE_DEPTH = 64;

// --- Storage node (src/core/storage/, src/adapters/idb/) ---

/** The storage protocol's version, reported by getVersion (bumped on any incompatible change). */
export const STORAGE_PROTOCOL_VERSION = 1;
/** Largest share a node allocates: 1 TiB is beyond any browser quota today, and offsets stay safe integers. */
export const MAX_SHARE_BYTES = 2 ** 40;
/** Largest single writeShare: one block of the largest segment (k = 1); fits MAX_RPC_MESSAGE_BYTES with its header. */
export const MAX_SHARE_WRITE_BYTES = MAX_SEGMENT_BYTES;
/** Largest single readShare: the same bound as a write, so a response fits one rpc message. */
export const MAX_SHARE_READ_BYTES = MAX_SEGMENT_BYTES;
/** Share numbers in one allocate request (Tahoe's CDDL: 0*256 share numbers). */
export const MAX_SHARES_PER_REQUEST = MAX_SHARES;
/** Separate written pieces tracked per pending share (an uploader writes a few contiguous runs; more is abuse). */
export const MAX_WRITE_RANGES_PER_SHARE = 1024;
/** A lease lasts 31 days from its last renewal, as Tahoe's. */
export const LEASE_DURATION_MS = 31 * 24 * 60 * 60 * 1000;
/** Leases one share keeps (one per client that holds it; a renewal with a known secret adds none). */
export const MAX_LEASES_PER_SHARE = 64;
/** Corruption reports kept per share (the latest ones; every report is still counted). */
export const MAX_CORRUPT_MARKS_PER_SHARE = 8;
/** Longest corruption reason, UTF-8 bytes: a sentence, not a payload. */
export const MAX_CORRUPT_REASON_BYTES = 1024;
/** Longest node id a peer may report (ours are 32 base32 characters). */
export const MAX_NODE_ID_CHARS = 128;
/** Longest size text a person may type ("1.5GiB" is 6; anything near this is not a size). */
export const MAX_SIZE_TEXT_CHARS = 32;
/** Default capacity: this fraction of the browser's quota for the site (which also holds everything else of ours)… */
export const DEFAULT_CAPACITY_QUOTA_FRACTION = 0.25;
/** …but at most 2 GiB, so an unattended tab does not fill a person's disk… */
export const DEFAULT_CAPACITY_MAX_BYTES = 2 * 1024 ** 3;
/** …and 256 MiB when the browser does not say its quota. */
export const DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES = 256 * 1024 ** 2;

// --- Grid client (src/core/grid/) ---

/** Time one storage server has for one request (connect, allocate, write or read a block, close): a 1 MiB block at 100 kB/s fits; a hung tab is left behind. */
export const GRID_REQUEST_TIMEOUT_MS = 30_000;
/** Allocation requests in flight during server selection: the N = 10 servers of a default upload are asked at once, without dialling a whole large grid. */
export const GRID_PLACEMENT_CONCURRENCY = 10;
/** listShares queries in flight during a download: the first N servers of the ring are asked at once (they hold the shares when the grid has not changed). */
export const GRID_QUERY_CONCURRENCY = 10;

// --- WebRTC connections (src/adapters/rtc/peers.ts) ---

/** Time from dialling a peer to a proven link: loopback/LAN take 60–320 ms (NOTES), STUN/TURN paths seconds. */
export const RTC_CONNECT_TIMEOUT_MS = 20_000;
/** Links one tab keeps open or in progress: ~0.3 MiB each, 500 per renderer at most and freed only on GC (NOTES). */
export const RTC_MAX_LINKS = 64;

// --- The app: which links a tab keeps (src/app/link-keeper.ts) ---

/** Peers a tab dials as soon as it joins and never closes for idleness: a grid this small is a full mesh, so placement and restore start without dialling. */
export const APP_WARM_LINKS = 16;
/** A link beyond the warm set that carried no request for this long closes (RTC_MAX_LINKS stays free for the peers placement needs). */
export const APP_LINK_IDLE_CLOSE_MS = 120_000;
/** Bytes of one peer's requests being received or handled here at once (a slow store must not let writes pile up in memory); beyond, PeerBusyError. */
export const MAX_RPC_INBOUND_BYTES = 64 * 1024 * 1024;

// --- Mutable files, slots and directories (src/core/mutable/, src/core/storage/mutable-*, src/core/dirnode/) ---

/** Largest mutable file (SDMF: one segment, read and rewritten whole): directories and small documents, not media. */
export const MAX_MUTABLE_FILE_BYTES = 8 * 1024 * 1024;
/** Largest share in a mutable slot: the whole file at k = 1 plus its header and hash chain. */
export const MAX_SLOT_SHARE_BYTES = MAX_MUTABLE_FILE_BYTES + 64 * 1024;
/** Test, write or read vectors per share in one slot request (bric's publisher uses one of each; Tahoe's a handful). */
export const MAX_SLOT_VECTORS = 16;
/** Longest test-vector specimen: a checkstring is 62 bytes; comparing kilobytes is not a test, it is a read. */
export const MAX_SLOT_TEST_BYTES = 1024;
/** Bytes of write vectors in one slot request, and of data in one slot read answer: fits one rpc message. */
export const MAX_SLOT_REQUEST_BYTES = MAX_SEGMENT_BYTES;
/** Bytes of each share the servermap reads in its first query: the whole share of a directory of ~100 entries at 3-of-10. */
export const MUTABLE_MAP_READ_BYTES = 64 * 1024;
/** Attempts of one read-modify-write (directory change) that meets an uncoordinated write before giving up. */
export const MAX_MODIFY_ATTEMPTS = 8;
/** First wait before retrying such a change (doubling, with jitter), so two writers stop colliding. */
export const MODIFY_BACKOFF_MS = 200;
/** Longest entry name, UTF-8 bytes: ext4, NTFS and APFS allow 255, so a restored folder can be written. */
export const MAX_DIR_NAME_BYTES = 255;
/** Entries of one directory: at ~650 bytes each at most, 10 000 fit MAX_MUTABLE_FILE_BYTES. */
export const MAX_DIR_ENTRIES = 10_000;
/** Longest cap text a directory entry holds (a CHK readcap is ~110 characters, a directory readcap ~100). */
export const MAX_CHILD_CAP_CHARS = 256;

// --- Check, verify, repair and leases (src/core/repair/, src/core/storage/lease-collector.ts) ---

/** Share copies a verify reads at once: it reads ~N/k × the file size in any order; a few at a time bound memory and load. */
export const VERIFY_CONCURRENCY = 3;
/** The repair scheduler checks each file it holds this often; with tabs living hours the churn simulator loses nothing at this (README "Durability under churn"). */
export const REPAIR_CHECK_INTERVAL_MS = 10 * 60_000;
/** Checks the scheduler starts per minute, sustained: each is one listShares per server; 300 files still get a check every 10 minutes (the simulator loses files at 30). */
export const REPAIR_CHECKS_PER_MINUTE = 30;
/** Checks it may start back to back on top of that (a tab just opened looks at its files quickly). */
export const REPAIR_CHECK_BURST = 10;
/** Repair traffic, sustained: bytes read plus written per second (a repair costs ~ the file size × (1 + missing/k)); a tenth of a data channel. */
export const REPAIR_BYTES_PER_SECOND = 1024 * 1024;
/** Repair traffic a tab may spend at once before the sustained rate applies (a few files right after a tab holding many shares closed). */
export const REPAIR_BURST_BYTES = 256 * 1024 * 1024;
/** A repair that could not restore happiness is tried again after this, doubling up to the max (the grid needs new tabs first). */
export const REPAIR_RETRY_MIN_MS = 5 * 60_000;
export const REPAIR_RETRY_MAX_MS = 6 * 60 * 60_000;
/** Checks renew a file's leases at most this often: leases last 31 days, so a daily renewal keeps held files far from expiry at one request per holder. */
export const LEASE_RENEW_INTERVAL_MS = 24 * 60 * 60_000;
/** A node looks for shares whose every lease has run out this often (leases last weeks; a pass reads only the share records). */
export const LEASE_COLLECT_INTERVAL_MS = 60 * 60_000;
/** Unanswered share writes to one server while an upload runs ahead of its answers (src/app/write-behind.ts): ~8 blocks of a 1 MiB segment at 3-of-10, so memory stays ≈ N × this. */
export const APP_WRITE_BEHIND_BYTES = 3 * 1024 * 1024;

// --- Peer reputation (src/core/grid/reputation.ts) ---

/** Faults (a bad share, a timeout, a protocol error) within the window after which a peer is avoided: one is bad luck or a disk error, three is a pattern. */
export const REPUTATION_FAULT_THRESHOLD = 3;
/** Faults older than this are forgotten, so an honest tab with a flaky hour is not avoided for good. */
export const REPUTATION_FAULT_WINDOW_MS = 10 * 60_000;
/** How long an avoided peer stays out of placement, downloads and connects (then it starts again with no faults). */
export const REPUTATION_AVOID_MS = 60 * 60_000;
/** Peers a reputation table remembers at once (the oldest is forgotten first): faults of strangers must not grow memory without bound. */
export const REPUTATION_MAX_PEERS = 4096;

// --- Signaling admission (signaling/gate.ts) ---

/** WebSockets open at once from one address (an IPv6 /64 counts as one): a household behind NAT with a few dozen tabs fits; one machine cannot take the whole server (SIGNAL_MAX_SOCKETS). */
export const SIGNAL_MAX_SOCKETS_PER_IP = 32;

/** A pending share nobody wrote for this long is freed at the next allocation: an uploader that went quiet while connected must not hold a node's space (an upload writes every share once per segment). */
export const STALLED_UPLOAD_MS = 10 * 60_000;

/**
 * Uploads smaller than this go in one pass (an interrupted one is sent again: at most ~45 s of
 * upload here); larger ones in DEFAULT_RESUME_PASSES passes, so a reload loses at most one pass.
 * Each extra pass reads and encodes the file again: a 64 MiB upload took 47 s in three passes
 * against 38 s in one (npm run bench -- grid), so passes are kept for files where resending hurts.
 */
export const RESUME_SINGLE_PASS_BELOW_BYTES = 128 * 1024 * 1024;
