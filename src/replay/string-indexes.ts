/**
 * The reading thread's side of replay's string dictionary (./packed-events.ts): the index of
 * each distinct string, found from a range of characters in a line, so that a string seen
 * before (most entity ids, merchants, countries) is looked up without being cut out of the
 * line first. A Map of strings needed a new substring per lookup and hashed it again: a fifth
 * of the reading thread. Open addressing over a power-of-two table, FNV-1a over the UTF-16
 * code units, the hash kept per string to skip most comparisons. It pays:
 * bench/replay-throughput.ts turns it off (string-indexes, ./fast-paths.ts) and prints its share.
 */
import { usesFastPath } from './fast-paths.ts';

const EMPTY = 0;

/** What the dictionary needs: this file's table, or its plain counterpart, a Map. */
export interface StringIndexing {
  readonly size: number;
  clear(): void;
  indexOfRange(text: string, start: number, end: number, onNew: (value: string) => void): number;
}

export function createStringIndexes(expectedStrings: number): StringIndexing {
  return usesFastPath('string-indexes')
    ? new StringIndexes(expectedStrings)
    : new MapStringIndexes();
}

/** The plain counterpart (./fast-paths.ts): a Map of the strings cut out of the lines. */
class MapStringIndexes implements StringIndexing {
  private readonly indexes = new Map<string, number>();

  get size(): number {
    return this.indexes.size;
  }

  clear(): void {
    this.indexes.clear();
  }

  indexOfRange(text: string, start: number, end: number, onNew: (value: string) => void): number {
    const value = text.slice(start, end);
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.indexes.size;
      this.indexes.set(value, index);
      onNew(value);
    }
    return index;
  }
}

export class StringIndexes implements StringIndexing {
  /** The strings by index. */
  private readonly strings: string[] = [];
  private hashes = new Int32Array(0);
  /** Per slot: index + 1 of the string there, or EMPTY. */
  private slots = new Int32Array(0);
  private mask = 0;

  constructor(expectedStrings: number) {
    this.resize(tableSizeFor(expectedStrings));
  }

  get size(): number {
    return this.strings.length;
  }

  /** Forgets every string; indexes start from 0 again. */
  clear(): void {
    this.strings.length = 0;
    this.slots.fill(EMPTY);
  }

  /**
   * The index of `text.slice(start, end)`; a string not seen before gets the next index and
   * is passed to `onNew`.
   */
  indexOfRange(text: string, start: number, end: number, onNew: (value: string) => void): number {
    let hash = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    const { slots, strings, hashes, mask } = this;
    const length = end - start;
    let slot = hash & mask;
    for (let entry = slots[slot]!; entry !== EMPTY; entry = slots[slot]!) {
      const index = entry - 1;
      if (hashes[index] === hash) {
        const candidate = strings[index]!;
        if (candidate.length === length && sameCharacters(candidate, text, start, length))
          return index;
      }
      slot = (slot + 1) & mask;
    }
    const index = strings.length;
    const value = start === 0 && end === text.length ? text : text.slice(start, end);
    strings.push(value);
    if (index >= hashes.length) this.growHashes();
    this.hashes[index] = hash;
    slots[slot] = index + 1;
    if (strings.length * 2 > slots.length) this.resize(slots.length * 2);
    onNew(value);
    return index;
  }

  private growHashes(): void {
    const grown = new Int32Array(Math.max(16, this.hashes.length * 2));
    grown.set(this.hashes);
    this.hashes = grown;
  }

  /** A table of `size` slots (a power of two) holding the strings there are. */
  private resize(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    if (this.hashes.length < size / 2) {
      const hashes = new Int32Array(size / 2);
      hashes.set(this.hashes.subarray(0, Math.min(this.hashes.length, hashes.length)));
      this.hashes = hashes;
    }
    for (let index = 0; index < this.strings.length; index++) {
      let slot = this.hashes[index]! & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = index + 1;
    }
  }
}

function tableSizeFor(strings: number): number {
  let size = 16;
  while (size < strings * 2) size *= 2;
  return size;
}

function sameCharacters(candidate: string, text: string, start: number, length: number): boolean {
  for (let i = 0; i < length; i++)
    if (candidate.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
