package dev.featureflow.flink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A string column of a batch (udf.proto {@code StringColumn}: each distinct value once, and an
 * index per value), encoded as its values arrive: each string is read once, when Flink's argument
 * still is in the cache, and the request later copies the bytes in one piece. Reading them again
 * at encoding time (to measure and then to write them) cost the client about 0.4 us per window in
 * the benchmark, most of it waiting for memory.
 *
 * <p>Values repeat in many columns (countries, pages, event types), and each dictionary entry is a
 * string the service decodes. When most of the first {@link #SAMPLE} values are distinct (entity
 * ids, merchants), looking every value up costs more than it saves (measured on the benchmark's
 * merchants, 43% distinct per batch: +0.3 us per window here, -0.15 us on the service). The
 * rest are then appended as they come, which the protocol equally allows (a dictionary may hold
 * a value twice). The lookup is an
 * open-addressing table of hash codes and dictionary indices, without the boxing and entry
 * objects of a HashMap.
 */
final class StringColumnWriter {
  /** Values looked up before judging whether the column repeats enough for a dictionary. */
  static final int SAMPLE = 64;

  /** StringColumn.dictionary (field 1, length-delimited): its one-byte tag. */
  private static final byte DICTIONARY_TAG = (1 << 3) | WireBytes.LENGTH_DELIMITED;

  /** The dictionary entries as written: tag, length and UTF-8 bytes of each. */
  private byte[] bytes;
  private int length;
  private int[] indices;
  private int count;
  private int size;

  /** While looking values up: the entries, and per slot a hash code and entry index + 1 (0: empty). */
  private String[] entries = new String[16];
  private int[] hashes = new int[64];
  private int[] slots = new int[64];

  StringColumnWriter(int expectedValues) {
    int capacity = Math.max(16, expectedValues);
    indices = new int[capacity];
    bytes = new byte[capacity * 8];
  }

  int count() {
    return count;
  }

  void add(String value) {
    if (count == indices.length) {
      indices = Arrays.copyOf(indices, count * 2);
    }
    if (entries != null && count == SAMPLE && size > SAMPLE / 2) {
      entries = null;
      hashes = null;
      slots = null;
    }
    indices[count++] = entries != null ? indexOf(value) : append(value);
  }

  private int indexOf(String value) {
    int hash = value.hashCode();
    int mask = slots.length - 1;
    // Fibonacci hashing: ids like m-1041, m-1042 have nearly consecutive hash codes, which would
    // fill neighbouring slots and make linear probing walk long runs.
    int slot = ((hash * 0x9E3779B9) >>> 16) & mask;
    for (int s = slots[slot]; s != 0; s = slots[slot = (slot + 1) & mask]) {
      if (hashes[slot] == hash) {
        String candidate = entries[s - 1];
        if (candidate == value || candidate.equals(value)) {
          return s - 1;
        }
      }
    }
    int index = append(value);
    if (index == entries.length) {
      entries = Arrays.copyOf(entries, index * 2);
    }
    entries[index] = value;
    hashes[slot] = hash;
    slots[slot] = index + 1;
    if (2 * size > slots.length) {
      rehash(slots.length * 2);
    }
    return index;
  }

  /** Writes a new dictionary entry and returns its index. */
  private int append(String value) {
    int n = value.length();
    if (length + 6 + 3 * n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + 6 + 3 * n));
    }
    byte[] b = bytes;
    if (n < 128) {
      // ASCII (ids, codes, names) as the chars themselves, its one-byte length first.
      int p = length + 2;
      int i = 0;
      for (; i < n; i++) {
        char c = value.charAt(i);
        if (c >= 0x80) {
          break;
        }
        b[p++] = (byte) c;
      }
      if (i == n) {
        b[length] = DICTIONARY_TAG;
        b[length + 1] = (byte) n;
        length = p;
        return size++;
      }
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    b[length++] = DICTIONARY_TAG;
    int v = utf8.length;
    while ((v & ~0x7F) != 0) {
      b[length++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[length++] = (byte) v;
    System.arraycopy(utf8, 0, b, length, utf8.length);
    length += utf8.length;
    return size++;
  }

  private void rehash(int capacity) {
    int[] oldHashes = hashes;
    int[] oldSlots = slots;
    hashes = new int[capacity];
    slots = new int[capacity];
    int mask = capacity - 1;
    for (int i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] != 0) {
        int slot = ((oldHashes[i] * 0x9E3779B9) >>> 16) & mask;
        while (slots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        hashes[slot] = oldHashes[i];
        slots[slot] = oldSlots[i];
      }
    }
  }

  /** The column as encoded, ready to be written (no further values may be added). */
  Encoded finish() {
    return new Encoded(bytes, length, indices, count, WireBytes.varintsSize(indices, count));
  }

  /** A finished column: its StringColumn payload is the entries, then the packed indices. */
  record Encoded(byte[] entries, int entriesLength, int[] indices, int count, int indicesSize) {
    int payloadSize() {
      return entriesLength + WireBytes.packedSize(2, indicesSize);
    }

    void writeTo(WireBytes out) {
      out.raw(entries, entriesLength);
      out.varints(2, indices, count, indicesSize);
    }
  }
}
