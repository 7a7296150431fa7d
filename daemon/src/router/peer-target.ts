// Owns the `peer` field every machine-targeting input carries: until peering exists only this machine answers.
import { z } from 'zod';
import { BadInput } from '../errors.js';

/** Where to act: this machine (absent or `local`), or a peer by node id or hostname. */
export const PeerSchema = z.string().min(1).max(253).optional();

export function assertLocalPeer(peer: string | undefined): void {
  if (peer !== undefined && peer !== 'local') {
    throw new BadInput(
      `Cannot reach peer "${peer}": peers are not available yet. Leave out the peer (or use "local") to act on this machine.`,
    );
  }
}
