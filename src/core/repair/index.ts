/** Check, verify, repair and automatic repair (issue 6): re-exports only. @module */
export { FileChecker, type FileCheckerComponents, type FileCheckerInit } from './checker.js';
export { summarize, goodShareMap, type CheckResult, type CorruptShare, type ServerShares, type VerifyCost } from './check-result.js';
export type { CheckOptions } from './check.js';
export type { VerifyOptions, VerifyProgress } from './verify.js';
export type { RepairOptions, RepairResult } from './repair.js';
export { RegeneratedShareMismatchError } from './errors.js';
export { planRepair, happinessOf, needsRepair, type RepairPlanInput } from './plan.js';
export { RepairScheduler, type RepairSchedulerComponents, type RepairSchedulerInit } from './scheduler.js';
export type { FileHealth, FileState, RepairEvent, SchedulerPass } from './scheduler-types.js';
export { TokenBucket } from './token-bucket.js';
