/**
 * Serves the e2e demo for a look in a real browser: `npx tsx test/e2e/serve-demo.ts`.
 * The bot has sent the approval card, the 2.0 release card and a post; open the printed URL.
 */
import { startDemoHub } from './scenario.js';

const t = await startDemoHub();
await t.say('/approve-demo');
await t.say('/release-demo');
await t.say('/post-demo');
console.log(`emulator client: ${t.emulator.url}/`);
process.on('SIGINT', () => void t.close().then(() => process.exit(0)));
