/**
 * An ioredis Command whose bytes are already RESP-encoded (see resp-writer.ts). ioredis still
 * does everything else: the reply queue, reply parsing, connection state and errors.
 * `toWritable` is part of ioredis's public Command type; overriding it is the one seam used.
 */
import { Command } from 'ioredis';

export class EncodedCommand extends Command {
  private readonly encoded: Buffer;

  /** `name` must be the command at the start of `encoded` (ioredis routes replies by it). */
  constructor(name: string, encoded: Buffer) {
    super(name, [], { replyEncoding: 'utf8' });
    this.encoded = encoded;
  }

  override toWritable(_socket: object): Buffer {
    return this.encoded;
  }
}
