import { describe, expect, it } from 'vitest';
import { parseText, splitArgs } from '../../src/bot/command-parser.js';

const BOT = 'ou_bot';
const botMention = { key: '@_user_1', id: { open_id: BOT }, name: 'hub bot' };
const alice = { key: '@_user_2', id: { open_id: 'ou_alice' }, name: 'Alice' };

describe('command parsing', () => {
  it('reads a command after an @bot mention in a group', () => {
    const p = parseText('@_user_1 /deploy api now', [botMention], BOT);
    expect(p.mentionsBot).toBe(true);
    expect(p.command).toEqual({ name: 'deploy', args: ['api', 'now'], rest: 'api now' });
  });

  it('reads a bare command in p2p, lower-casing the name', () => {
    expect(parseText('/Ping', [], BOT).command).toEqual({ name: 'ping', args: [], rest: '' });
  });

  it('keeps quoted arguments together and resolves other mentions to names', () => {
    const p = parseText('@_user_1 /page @_user_2 "db is down" now', [botMention, alice], BOT);
    expect(p.command?.args).toEqual(['@Alice', 'db is down', 'now']);
    expect(p.mentions).toEqual([{ openId: 'ou_alice', name: 'Alice' }]);
  });

  it('is not a command when the slash is not first, and notes no bot mention', () => {
    const p = parseText('please run /deploy', [], BOT);
    expect(p.command).toBeUndefined();
    expect(p.mentionsBot).toBe(false);
  });

  it('does not confuse @_user_10 with @_user_1', () => {
    const many = [botMention, { key: '@_user_10', id: { open_id: 'ou_x' }, name: 'Xu' }];
    expect(parseText('@_user_10 hi @_user_1', many, BOT).text).toBe('@Xu hi');
  });

  it('splits shell-like arguments with curly quotes too', () => {
    expect(splitArgs('a “b c” \'d e\' f')).toEqual(['a', 'b c', 'd e', 'f']);
  });
});
