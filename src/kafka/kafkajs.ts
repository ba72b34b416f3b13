/**
 * kafkajs, with two of its modules replaced by our own: its read_committed filter
 * (src/kafka/aborted-messages.ts, see there for the bug) and its grouping of a send's messages by
 * partition (src/kafka/partition-grouping.ts, quadratic in kafkajs). kafkajs reads each once,
 * when the module using it loads, so the replacements go into Node's module cache first; every
 * value import of kafkajs in this repository comes through here (a unit test checks), and one
 * that came first is refused rather than silently left unfixed.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import { FeatureflowError } from '../core/errors.ts';
import { filterAbortedMessages } from './aborted-messages.ts';
import { groupMessagesPerPartition } from './partition-grouping.ts';

const require = createRequire(import.meta.url);

interface Replacement {
  /** The kafkajs module replaced. */
  module: string;
  /** The kafkajs module that reads it when it loads. */
  loadedBy: string;
  /** Why, for the error if kafkajs loaded first. */
  purpose: string;
  implementation: (...args: never[]) => unknown;
}

const REPLACEMENTS: readonly Replacement[] = [
  {
    module: 'kafkajs/src/consumer/filterAbortedMessages.js',
    loadedBy: 'kafkajs/src/consumer/batch.js',
    purpose: 'correct its read_committed filter',
    implementation: filterAbortedMessages,
  },
  {
    module: 'kafkajs/src/producer/groupMessagesPerPartition.js',
    loadedBy: 'kafkajs/src/producer/sendMessages.js',
    purpose: 'replace its quadratic grouping of messages by partition',
    implementation: groupMessagesPerPartition,
  },
];

for (const { module, loadedBy, purpose, implementation } of REPLACEMENTS) {
  const path = require.resolve(module);
  if (require.cache[require.resolve(loadedBy)] && !require.cache[path]?.exports.featureflow) {
    throw new FeatureflowError(
      'internal',
      `kafkajs was loaded before src/kafka/kafkajs.ts could ${purpose} (import kafkajs from src/kafka/kafkajs.ts, not from 'kafkajs')`,
    );
  }
  require(path);
  require.cache[path]!.exports = Object.assign((...args: never[]) => implementation(...args), {
    featureflow: true,
  });
}

const kafkajs = require('kafkajs') as typeof KafkaJs;
export default kafkajs;
