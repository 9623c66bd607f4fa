import type { Incident } from './incidents.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The war room's chat name: severity and title while open, "[Resolved] …" after (the platform's 已解决 convention). */
export function warRoomName(i: Pick<Incident, 'id' | 'title' | 'severity' | 'status'>): string {
  const prefix = i.status === 'resolved' ? '[Resolved]' : `[${i.severity[0].toUpperCase()}${i.severity.slice(1)}]`;
  return clip(`${prefix} ${i.title} #${i.id}`, 60);
}
