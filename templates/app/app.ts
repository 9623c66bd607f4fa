import { button, card2, header, markdown } from 'feishu-hub';
import type { Hub } from 'feishu-hub';

/**
 * The app: a function of the hub. `npm start` runs it (`feishu-hub dev app.ts`, restarted when you
 * save), and app.test.ts runs it against the built-in local Feishu.
 */
export default function app(hub: Hub): void {
  // `@bot /hello` in a group, or `/hello` to the bot in a private chat.
  hub.command('/hello', ({ reply }) => reply.text('Hello from feishu-hub!'), { description: 'say hello' });

  // `@bot /card`: a card with a button; clicks on it reach hub.action('hello.wave') below.
  hub.command(
    '/card',
    ({ reply }) =>
      reply.card(
        card2({ header: header('Nice to meet you', { template: 'blue' }) }, [
          markdown('Click the button: the bot answers with a toast and updates this card.'),
          button('Wave back 👋', { action: 'hello.wave', type: 'primary' }),
        ]),
      ),
    { description: 'a card with a button' },
  );

  hub.action('hello.wave', async ({ user, toast, updateCard }) => {
    toast('You waved back!');
    await updateCard(card2({ header: header('Waved', { template: 'green' }) }, [markdown(`<at id=${user.openId}></at> waved back.`)]));
  });
}
