/**
 * Org-chart sync: departments and people of the app's contact scope in the hub's store, kept
 * current by contact events and a reconcile job; `hub.directory` to read them and hook changes.
 */
export { directoryCapability, statusOf, DIRECTORY_EVENTS, type DirectoryApi, type DirectoryHook, type DirectoryStatus } from './capability.js';
export { directoryConfigSchema, type DirectoryConfig } from './config.js';
export { DirectoryStore, type DirectoryChange, type UserChange, type DepartmentChange, type ChangeOf, type DirectoryEventName, type ChangeSource } from './store.js';
export { fullSync, syncState, type SyncProgress, type SyncResult, type SyncOptions } from './sync.js';
export { Mirror, MIRROR_USER_COLUMNS, MIRROR_DEPARTMENT_COLUMNS } from './mirror.js';
export { userFromObject, departmentFromObject, type DirectoryUser, type DirectoryDepartment } from './model.js';
export { directoryMigrations, type DirectoryTables } from './tables.js';
