/**
 * Bitable ↔ SQL sync (PostgreSQL, MySQL/MariaDB, SQLite): jobs from feishu-hub.yaml `sync.jobs`,
 * a three-way diff against the last synced state, checkpointed runs, record-changed events one way
 * and a trigger-fed change log the other, deletes both ways with a mass-delete guard, conflicts
 * settled by policy and recorded, `verify` by checksums. `hub.sync` on a hub.
 */
export { syncCapability, type SyncApi } from './capability.js';
export { SyncJob, MassDeleteError, databaseUrlOf, type RunOptions, type RunResult, type VerifyResult, type JobStatus, type SyncProgress, type SyncPhase } from './job.js';
export { syncConfigSchema, type SyncConfig, type SyncJobConfig, type Direction, type ConflictPolicy, type ColumnKind } from './config.js';
export { planKeys, planCounts, type Plan, type KeyView, type PlannedConflict } from './plan.js';
