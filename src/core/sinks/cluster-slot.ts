/**
 * The Redis Cluster hash slot of a key, computed as Redis does (CRC16-XMODEM of the key, or of
 * its hash tag `{...}` when it has a non-empty one, modulo 16384). The sink needs it before
 * sending: a script call whose keys fall in two slots is refused with CROSSSLOT, so each call
 * carries the keys of one slot only.
 */

export const CLUSTER_SLOTS = 16_384;

// CRC16-XMODEM (polynomial 0x1021, initial 0), one table lookup per byte.
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}

/** The slot of `key` (a JavaScript string, hashed as its UTF-8 bytes, as clients send it). */
export function clusterSlotOf(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  // The hash tag: from the first '{' to the first '}' after it, when not empty.
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) % CLUSTER_SLOTS;
  }
  return crc16(bytes) % CLUSTER_SLOTS;
}
