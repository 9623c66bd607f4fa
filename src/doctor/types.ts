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
}
