/** The grid client's public surface (upload, download, placement, the StorageBroker port): re-exports only. @module */
export { GridClient, type GridClientComponents, type GridClientInit, type GridUploadOptions, type GridUploadResult } from './client.js';
export { nodeIdBytes, nodeIdKey, serverName, type NodeId, type ServerDescriptor, type StorageBroker } from './broker.js';
export { deadline, raceAbort, withDeadline, type Clock, type Deadline } from './clock.js';
export type { DownloadOptions } from './download.js';
export { describeUnhappiness, formatBytes, ServerTimeoutError, UploadUnhappinessError, type UnhappinessDetail } from './errors.js';
export { calculateHappiness, maximumMatching, serversOfHappiness, sharePlacement } from './happiness.js';
export { deriveLeaseSecrets, type LeaseSecrets } from './lease-secrets.js';
export { isLitSize } from './lit.js';
export { permuteServers, ringPosition } from './ring.js';
export type { FinderStats } from './share-finder.js';
export type { UploadOptions, UploadReport } from './upload.js';
