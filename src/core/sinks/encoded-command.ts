/**
 * An ioredis Command whose bytes are already RESP-encoded (see resp-writer.ts). ioredis still
 * does everything else: the reply queue, reply parsing, connection state and errors.
 * `toWritable` is part of ioredis's public Command type; overriding it is the one seam used.
 * `getSlot` is the other, for a Redis Cluster: ioredis would read the slot from the arguments,
 * which an encoded command does not have, so the caller names it.
 */
import { Command } from 'ioredis';

export class EncodedCommand extends Command {
  private readonly encoded: Buffer;
  private readonly keySlot: number | undefined;

  /** `name` must be the command at the start of `encoded` (ioredis routes replies by it);
   * `slot` is the hash slot of its keys (cluster-slot.ts), undefined outside a cluster. */
  constructor(name: string, encoded: Buffer, slot?: number) {
    super(name, [], { replyEncoding: 'utf8' });
    this.encoded = encoded;
    this.keySlot = slot;
  }

  override getSlot(): number {
    return this.keySlot ?? super.getSlot();
  }

  override toWritable(_socket: object): Buffer {
    return this.encoded;
  }
}
