import type { Labels } from '../matchers.js';

const OFFSET = 14695981039346656037n;
const PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/**
 * Prometheus' `LabelSet.Fingerprint()`: FNV-1a 64 over the sorted label names and values, each
 * followed by the 0xff separator, as 16 hex digits. Alertmanager sends it; we compute it when a
 * payload lacks it, so both ways key the same alert.
 * @example fingerprintOf({ alertname: 'HighLatency', instance: 'api-1' })
 */
export function fingerprintOf(labels: Labels): string {
  let h = OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  };
  const sep = new Uint8Array([0xff]);
  const enc = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name]));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}
