import type { ScopeReport } from './scopes.js';

/** One line of the doctor's report. */
export interface Check {
  /** Stable id for scripts (`--json`). */
  id: string;
  /** What was checked, in words. */
  title: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found. */
  detail: string;
  /** What to do about it (warn/fail). */
  fix?: string;
}

export interface DoctorReport {
  /** No check failed. */
  ok: boolean;
  checks: Check[];
  /** The scopes: the least set to request for the enabled capabilities, what is missing (absent when the config does not load). */
  scopes?: ScopeReport;
}
