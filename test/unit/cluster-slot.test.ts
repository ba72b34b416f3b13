// Hash slots as Redis Cluster computes them (CRC16-XMODEM mod 16384, hash tags): the sink groups
// script calls by them, so a wrong slot would be a CROSSSLOT refusal or a MOVED on every call.
// The integration test compares with CLUSTER KEYSLOT of a real cluster as well.
import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, clusterSlotOf, crc16 } from '../../src/core/sinks/cluster-slot.ts';

describe('clusterSlotOf', () => {
  it('uses CRC16-XMODEM (check value of "123456789" is 0x31C3)', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
  });

  // Values from the Redis documentation (CLUSTER KEYSLOT) and the cluster specification.
  it.each([
    ['somekey', 11058],
    ['foo{hash_tag}', 2515],
    ['foo', 12182],
    ['bar', 5061],
    // A hash tag: only what is between the first '{' and the next '}' is hashed.
    ['{bar}.anything', 5061],
    ['foo{bar}{zap}', 5061],
    // An empty tag does not count: the whole key is hashed.
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015],
  ])('%s -> %i', (key, slot) => {
    expect(clusterSlotOf(key)).toBe(slot);
  });

  it('hashes the UTF-8 bytes of the key and stays within the slots', () => {
    const slot = clusterSlotOf('features:user:é€😀');
    expect(slot).toBe(crc16(Buffer.from('features:user:é€😀', 'utf8')) % CLUSTER_SLOTS);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(slot).toBeLessThan(CLUSTER_SLOTS);
  });
});
