import { z } from 'zod';

/** `bot:` in feishu-hub.yaml. */
export const botConfigSchema = z
  .object({
    /** `/help` and `/ping`. */
    builtins: z.boolean({ message: 'must be true or false' }).default(true),
    /** Posted when someone adds the bot to a group; false for none; unset for the default greeting. */
    welcome: z.union([z.string().min(1, 'must not be empty (use false for no welcome)'), z.literal(false)]).optional(),
  })
  .strict();

export type BotConfig = z.output<typeof botConfigSchema>;
