// Owns the relay procedures: which relay this machine uses and how its link is doing.
import { z } from 'zod';
import { BadInput } from '../errors.js';
import { authedProcedure, router } from '../trpc.js';

export const ConfigureRelaySchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'the relay URL starts with http:// or https://' })
    .max(2048),
  registrationSecret: z.string().min(1).max(512).optional(),
});

export const relayRouter = router({
  status: authedProcedure.query(({ ctx }) => ctx.services.relay.status()),

  /** Registers this machine at a relay and switches to it (the daemon's own relay stops being used). */
  configure: authedProcedure.input(ConfigureRelaySchema).mutation(async ({ ctx, input }) => {
    if (ctx.caller.kind === 'phone')
      throw new BadInput('A phone cannot move the laptop to another relay.');
    return ctx.services.relay.configure(input.url, {
      ...(input.registrationSecret ? { registrationSecret: input.registrationSecret } : {}),
    });
  }),
});
