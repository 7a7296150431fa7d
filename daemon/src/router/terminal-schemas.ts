// Owns the shapes of terminal session specs, shared by `terminal.create` and auto-approve requests.
import { z } from 'zod';
import { PeerSchema } from './peer-target.js';

export const ColsSchema = z.number().int().min(2).max(1000);
export const RowsSchema = z.number().int().min(1).max(500);
const EnvNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _');

export const CreateSessionSchema = z.strictObject({
  agent: z.enum(['shell', 'claude', 'codex', 'gemini', 'opencode', 'custom']).default('shell'),
  command: z.string().min(1).max(4096).optional(),
  args: z
    .array(z.string().max(128 * 1024))
    .max(1000)
    .optional(),
  cwd: z.string().min(1).max(4096).optional(),
  cols: ColsSchema.default(120),
  rows: RowsSchema.default(40),
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w.@:+-]+$/, 'names use letters, digits and . _ - @ : +')
    .optional(),
  env: z.record(EnvNameSchema, z.string().max(128 * 1024)).optional(),
  /** Start an AI agent with its skip-permission flag: the laptop's own callers only (others request it). */
  autoApprove: z.boolean().optional(),
  peer: PeerSchema,
});
