/**
 * kafkajs, with its read_committed filter replaced by src/kafka/aborted-messages.ts (see there
 * for the bug). kafkajs reads the filter once, when its consumer module loads, so the
 * replacement goes into Node's module cache first; every value import of kafkajs in this
 * repository comes through here (a unit test checks), and one that came first is refused
 * rather than silently left unfixed.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import { FeatureflowError } from '../core/errors.ts';
import { filterAbortedMessages } from './aborted-messages.ts';

const require = createRequire(import.meta.url);
const FILTER_MODULE = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
const BATCH_MODULE = require.resolve('kafkajs/src/consumer/batch.js');

if (require.cache[BATCH_MODULE] && !require.cache[FILTER_MODULE]?.exports.featureflow) {
  throw new FeatureflowError(
    'internal',
    `kafkajs was loaded before src/kafka/kafkajs.ts could correct its read_committed filter (import kafkajs from src/kafka/kafkajs.ts, not from 'kafkajs')`,
  );
}
require(FILTER_MODULE);
const corrected = Object.assign(
  (...args: Parameters<typeof filterAbortedMessages>) => filterAbortedMessages(...args),
  { featureflow: true },
);
require.cache[FILTER_MODULE]!.exports = corrected;

const kafkajs = require('kafkajs') as typeof KafkaJs;
export default kafkajs;
