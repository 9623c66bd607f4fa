import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { launchChromium } from './browser.js';
import { approvalCard, decidedCard, releaseCardFor, weeklyPost } from './fixtures/cards.js';
import { gradientPng } from './fixtures/png.js';

export interface ReceivedAction {
  key: string;
  option?: string;
  formValue?: Record<string, unknown>;
  user?: string;
}

/**
 * A hub whose bot sends the e2e cards: `/approve-demo` (1.0 approval), `/release-demo` (2.0 card),
 * `/post-demo` (post with an uploaded image), `/files-demo` (image, file, group card). Every card action is recorded and answered with a toast.
 */
export type DemoHub = TestHub & { actions: ReceivedAction[] };

export async function startDemoHub(): Promise<DemoHub> {
  const actions: ReceivedAction[] = [];
  let ownerIds: string[] = [];
  const t = await createTestHub({
    setup: (hub) => {
      hub.command('/approve-demo', ({ reply }) => reply.card(approvalCard()), { description: 'send an expense approval card' });
      hub.command('/release-demo', ({ reply }) => reply.card(releaseCardFor(ownerIds)), { description: 'send a release card (JSON 2.0)' });
      hub.command('/post-demo', async ({ reply, client, sender }) => {
        const res = await client.im.v1.image.create({ data: { image_type: 'message', image: gradientPng() } });
        await reply.raw('post', weeklyPost(sender.openId ?? '', res?.image_key));
      }, { description: 'send a rich-text post' });
      hub.command('/files-demo', async ({ reply, client, message }) => {
        const image = await client.im.v1.image.create({ data: { image_type: 'message', image: gradientPng(480, 270) } });
        await reply.raw('image', { image_key: image?.image_key ?? '' });
        const file = await client.im.v1.file.create({ data: { file_type: 'pdf', file_name: 'q2-report.pdf', file: Buffer.from('%PDF-1.4 demo') } });
        await reply.raw('file', { file_key: file?.file_key ?? '' });
        await reply.raw('share_chat', { chat_id: message.chatId ?? '' });
      }, { description: 'send an image, a file and a group card' });

      hub.action(/^(approval|release)\./, async (ctx) => {
        const key = (ctx.value as { action: string }).action;
        actions.push({ key, option: ctx.option, formValue: ctx.formValue, user: ctx.user.openId });
        if (key === 'approval.approve' || key === 'approval.reject') {
          const approved = key === 'approval.approve';
          ctx.toast(approved ? 'Approved EXP-1024' : 'Rejected EXP-1024', approved ? 'success' : 'warning');
          await ctx.updateCard(decidedCard(approved ? 'approved' : 'rejected', ctx.user.openId ?? ''));
        } else if (key === 'release.sign_off') {
          ctx.toast(`Signed off: ${JSON.stringify(ctx.formValue)}`, 'success');
        } else {
          ctx.toast(`${key === 'release.env' ? 'Environment' : 'Release day'}: ${ctx.option}`, 'info');
        }
      });
    },
  });
  ownerIds = [t.users.bob.open_id, t.users.carol.open_id];
  return Object.assign(t, { actions });
}

/**
 * The demo hub and a Chromium for one browser suite: started before its tests, closed after.
 * Read `t` and `browser` inside tests (they are set by the suite's beforeAll).
 */
export function useDemoHubInBrowser(): { t: DemoHub; browser: Browser } {
  const s = {} as { t: DemoHub; browser: Browser };
  beforeAll(async () => {
    s.t = await startDemoHub();
    s.browser = await launchChromium();
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.t?.close();
  });
  return s;
}
