import type { HubConfig } from '../config/index.js';
import type { Check } from './types.js';

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

/** The hub's database (opened, `select 1`, nothing migrated) and Redis when configured (PING). */
export async function storeChecks(config: HubConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const where = redact(config.databaseUrl);
  try {
    if (config.databaseUrl.startsWith('sqlite:')) {
      const { default: Database } = await import('better-sqlite3');
      const { mkdirSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      const file = config.databaseUrl.slice('sqlite:'.length).split('?')[0];
      mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file);
      try {
        db.prepare('select 1').get();
      } finally {
        db.close();
      }
    } else {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query('select 1');
      } finally {
        await client.end();
      }
    }
    checks.push({ id: 'database', title: 'database', status: 'ok', detail: `${where} answers` });
  } catch (err) {
    checks.push({ id: 'database', title: 'database', status: 'fail', detail: `${where}: ${(err as Error).message}`, fix: 'check DATABASE_URL (sqlite:<path> in a writable folder, or postgres://user:pass@host/db) and that the server runs' });
  }
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
      checks.push({ id: 'redis', title: 'Redis', status: 'ok', detail: `${redact(config.redisUrl)} answers PING` });
    } catch (err) {
      checks.push({ id: 'redis', title: 'Redis', status: 'fail', detail: `${redact(config.redisUrl)}: ${(err as Error).message}`, fix: 'check REDIS_URL and that Redis runs (or unset REDIS_URL: limits and locks then stay in this process and its database)' });
    } finally {
      redis.disconnect();
    }
  }
  return checks;
}
