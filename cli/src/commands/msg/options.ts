// Owns what the msg commands share: --as (act as one agent of this machine) and message lines for people.
import { Option } from 'clipanion';
import type { RouterOutputs } from '@loopsy/client-sdk/node';
import { formatTime, preview } from '../context/options.js';

export type InboxMessage = RouterOutputs['messages']['inbox']['messages'][number];

export const asOption = () =>
  Option.String('--as', {
    description:
      'Act as this agent of the machine (address <hostname>/<agent>) instead of the machine',
  });

export function asInput(as: string | undefined): { as?: string } {
  return as !== undefined ? { as } : {};
}

export function messageLine(m: {
  id: string;
  from: string;
  type: string;
  ts: number;
  body: string;
}): string {
  return `${m.id.padEnd(30)}  ${m.from.padEnd(20)}  ${m.type.padEnd(9)}  ${formatTime(m.ts).padEnd(22)}  ${preview(m.body)}`;
}

export const MESSAGE_HEADER = `${'ID'.padEnd(30)}  ${'FROM'.padEnd(20)}  ${'TYPE'.padEnd(9)}  ${'SENT'.padEnd(22)}  BODY`;
