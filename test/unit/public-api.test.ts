// The package entry as a project that depends on featureflow imports it (`from 'featureflow'`,
// the package's own exports field): the usage example of docs/features.md as written, and a small use of
// each group of exports. Redis round trips of the same FeatureSink and FeatureStore are in
// test/integration/feature-store.test.ts.

import {
  AvroDeserializer,
  AvroSerializer,
  builtInJobRegistry,
  type ClickEvent,
  ClickstreamFeatureComputer,
  computeClickstreamFeaturesFromWindow,
  computeTransactionFeaturesFromWindow,
  createFeatureSink,
  createFeatureStore,
  DEFAULT_PROCESSOR_CONFIG,
  defineJob,
  FEATURES_COMPUTED,
  FeatureflowError,
  FeatureSink,
  FeatureStore,
  LateEventHandler,
  loadJobRegistry,
  METRICS_REGISTRY,
  REDIS_WRITES,
  resolveFeatureJobConfig,
  resolveProcessorConfig,
  SchemaDirectory,
  SinkConnector,
  SlidingWindow,
  type TransactionEvent,
  TransactionFeatureComputer,
  type TransactionFeatures,
  WatermarkGenerator,
  WINDOW_SIZE,
  WindowedEngine,
} from 'featureflow';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

function txn(overrides: Partial<TransactionEvent> = {}): TransactionEvent {
  return {
    transaction_id: 'tx-1',
    card_id: 'card-1',
    user_id: 'user-1',
    merchant_id: 'm-1',
    merchant_category: 'grocery',
    amount: 100.0,
    currency: 'EUR',
    country: 'DE',
    channel: 'pos',
    timestamp: T0,
    ...overrides,
  };
}

function click(overrides: Partial<ClickEvent> = {}): ClickEvent {
  return {
    event_id: 'e-1',
    user_id: 'user-1',
    session_id: 's-1',
    page: '/home',
    event_type: 'page_view',
    referrer: null,
    timestamp: T0,
    ...overrides,
  };
}

/** Asserts `run` throws a FeatureflowError of `code` whose message is exactly `message`. */
function expectError(run: () => unknown, code: string, message: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FeatureflowError);
    expect((error as FeatureflowError).code).toBe(code);
    expect((error as Error).message).toBe(message);
    return;
  }
  expect.unreachable(`expected: ${message}`);
}

describe('the usage example of docs/features.md', () => {
  it('one 100.0 transaction in a 5-minute window: txn_count 1, amount_sum 100, velocity_score 0.1', () => {
    const events = [txn()];
    const features = computeTransactionFeaturesFromWindow(events, { windowSizeMinutes: 5 });
    expect(features.txn_count).toBe(1);
    expect(features.amount_sum).toBe(100);
    expect(features.velocity_score).toBe(0.1);
    expect(features).toEqual({
      entity_id: 'card-1',
      window_start: T0,
      window_end: T0 + 5 * MINUTE,
      txn_count: 1,
      amount_sum: 100,
      amount_avg: 100,
      amount_max: 100,
      amount_min: 100,
      amount_std: 0,
      distinct_merchants: 1,
      distinct_countries: 1,
      high_amount_count: 0,
      velocity_score: 0.1,
    } satisfies TransactionFeatures);
  });
});

describe('configuration', () => {
  it('ProcessorConfig fills the documented defaults and refuses unusable values', () => {
    expect(resolveProcessorConfig()).toEqual({
      windowSizeMinutes: 5,
      velocityThresholdPerMinute: 2,
      highAmountThreshold: 1000,
    });
    expect(DEFAULT_PROCESSOR_CONFIG.highAmountThreshold).toBe(1000);
    expectError(
      () => resolveProcessorConfig({ windowSizeMinutes: 0 }),
      'invalid_argument',
      'processor config windowSizeMinutes is unusable: 0 (a positive finite number, default 5)',
    );
  });

  it('FeatureJobConfig comes from flags over the environment over the job', () => {
    const config = resolveFeatureJobConfig(
      { job: 'transactions', window: '10m' },
      builtInJobRegistry(),
      { FEATUREFLOW_SLIDE: '2m' },
    );
    expect(config.job.name).toBe('transactions');
    expect([config.windowSizeMs, config.slideMs, config.maxOutOfOrdernessMs]).toEqual([
      10 * MINUTE,
      2 * MINUTE,
      5_000,
    ]);
  });
});

describe('event models with validation', () => {
  const jobs = builtInJobRegistry();

  it('accepts a valid transaction and says why an invalid one is not', () => {
    const transactions = jobs.get('transactions');
    expect(transactions.validate(txn())).toEqual({ ok: true, event: txn() });
    const verdict = transactions.validate(txn({ currency: 'EURO' }));
    expect(verdict).toMatchObject({ ok: false, reason: 'bad_currency', field: 'currency' });
  });

  it('refuses a click event of an unknown type', () => {
    const verdict = jobs.get('clickstream').validate({ ...click(), event_type: 'scroll' });
    expect(verdict).toMatchObject({ ok: false, reason: 'bad_enum', field: 'event_type' });
  });
});

describe('feature computers', () => {
  it('TransactionFeatureComputer is what the transactions job computes with', () => {
    const events = [txn({ amount: 10 }), txn({ amount: 30, timestamp: T0 + MINUTE })];
    const window = { entityId: 'card-1', windowStart: T0, windowEnd: T0 + 5 * MINUTE };
    const job = builtInJobRegistry().get('transactions');
    expect(new TransactionFeatureComputer().compute(events, window)).toEqual(
      job.computeFeatures(events, window),
    );
    expect(new TransactionFeatureComputer().compute(events, window)).toMatchObject({
      txn_count: 2,
      amount_sum: 40,
      amount_avg: 20,
      amount_std: 10,
      velocity_score: 0.2,
    });
  });

  it('TransactionFeatureComputer uses its thresholds', () => {
    const computer = new TransactionFeatureComputer({
      highAmountThreshold: 50,
      velocityThresholdPerMinute: 0.1,
    });
    const features = computer.compute([txn({ amount: 49.99 }), txn({ amount: 50 })], {
      entityId: 'card-1',
      windowStart: T0,
      windowEnd: T0 + 5 * MINUTE,
    });
    expect(features.high_amount_count).toBe(1);
    expect(features.velocity_score).toBe(1);
  });

  it('ClickstreamFeatureComputer is what the clickstream job computes with', () => {
    const events = [
      click(),
      click({ event_type: 'page_view', page: '/item', timestamp: T0 + 10_000 }),
      click({ event_type: 'purchase', page: '/checkout', timestamp: T0 + 20_000 }),
    ];
    const features = computeClickstreamFeaturesFromWindow(events, { windowSizeMinutes: 5 });
    expect(features).toMatchObject({
      entity_id: 'user-1',
      window_start: T0,
      window_end: T0 + 5 * MINUTE,
      event_count: 3,
      page_view_count: 2,
      purchase_count: 1,
      distinct_pages: 3,
      conversion_rate: 0.5,
      avg_gap_seconds: 10,
    });
    const window = { entityId: 'user-1', windowStart: T0, windowEnd: T0 + 5 * MINUTE };
    expect(new ClickstreamFeatureComputer().compute(events, window)).toEqual(
      builtInJobRegistry().get('clickstream').computeFeatures(events, window),
    );
  });

  it('says why a list of events is no window', () => {
    expectError(
      () => computeTransactionFeaturesFromWindow([], { windowSizeMinutes: 5 }),
      'invalid_argument',
      'no events: a window holds at least one (empty windows emit no row)',
    );
    expectError(
      () => computeTransactionFeaturesFromWindow([txn(), txn({ card_id: 'card-2' })]),
      'invalid_argument',
      "events of two entities in one window: card_id 'card-1' and 'card-2' (windows are per card_id; group the events first)",
    );
    expectError(
      () =>
        computeTransactionFeaturesFromWindow([txn(), txn({ timestamp: T0 + 5 * MINUTE })], {
          windowSizeMinutes: 5,
        }),
      'invalid_argument',
      'events span 300000 ms, more than one window holds: 300000 ms (use a larger windowSizeMinutes, or split them into windows)',
    );
  });
});

describe('windows, watermarks and late events', () => {
  it('SlidingWindow holds events in arrival order', () => {
    const window = new SlidingWindow<TransactionEvent>('card-1', T0, T0 + 5 * MINUTE);
    window.addEvent(txn());
    window.addEvent(txn({ amount: 5 }));
    expect(window.size()).toBe(2);
    expect(window.getEvents().map((e) => e.amount)).toEqual([100, 5]);
  });

  it('WatermarkGenerator is the largest event time minus the max out-of-orderness', () => {
    const watermarks = new WatermarkGenerator({ maxOutOfOrdernessMs: 5_000 });
    expect(watermarks.watermark).toBe(Number.NEGATIVE_INFINITY);
    watermarks.observe(T0 + 60_000);
    watermarks.observe(T0 + 30_000);
    expect(watermarks.watermark).toBe(T0 + 55_000);
  });

  it('LateEventHandler counts and hands on each late event', () => {
    const out: number[] = [];
    let counted = 0;
    const late = new LateEventHandler<TransactionEvent>(
      (event, watermark) => out.push(event.timestamp - watermark),
      () => counted++,
    );
    late.handle(txn(), T0 + 1_000);
    expect([late.count, counted, out]).toEqual([1, 1, [-1_000]]);
  });

  it('WindowedEngine fires windows for the computer, and counts the late event', () => {
    const computer = new TransactionFeatureComputer();
    const rows: TransactionFeatures[] = [];
    const late: TransactionEvent[] = [];
    const engine = new WindowedEngine<TransactionEvent>({
      windowSizeMs: 5 * MINUTE,
      slideMs: MINUTE,
      maxOutOfOrdernessMs: 5_000,
      entityOf: (e) => e.card_id,
      timeOf: (e) => e.timestamp,
      onWindowFired: (window) => rows.push(computer.compute(window.getEvents(), window)),
      onLateEvent: (event) => late.push(event),
    });
    engine.process(txn({ timestamp: T0 + 10_000 }));
    engine.process(txn({ card_id: 'card-2', timestamp: T0 + 10 * MINUTE }));
    engine.process(txn({ transaction_id: 'late', timestamp: T0 + 20_000 }));
    engine.flush();
    expect(late.map((e) => e.transaction_id)).toEqual(['late']);
    expect(engine.lateEventCount).toBe(1);
    // card-1's five windows, then card-2's five at the end of input.
    expect(rows.map((r) => `${r.entity_id}:${(r.window_end - T0) / MINUTE}`)).toEqual([
      'card-1:1',
      'card-1:2',
      'card-1:3',
      'card-1:4',
      'card-1:5',
      'card-2:11',
      'card-2:12',
      'card-2:13',
      'card-2:14',
      'card-2:15',
    ]);
  });
});

describe('Avro on Kafka', () => {
  it('AvroSerializer and AvroDeserializer round-trip an event of a topic', () => {
    const bytes = AvroSerializer.forTopic<TransactionEvent>('txn.events').serialize(txn());
    const decoded = new AvroDeserializer().deserializeMessage('txn.events', bytes);
    expect(decoded).toEqual({ ok: true, value: txn() });
  });

  it('reads Confluent framing with the schema directory', () => {
    // schemas/schema-ids.json: id 1 is transaction_event.avsc.
    const directory = new SchemaDirectory();
    const writer = directory.typeOfId(1);
    expect(writer).toBe(directory.typeOfFile('transaction_event.avsc'));
    const framed = new AvroSerializer<TransactionEvent>(writer!, {
      confluentSchemaId: 1,
    }).serialize(txn());
    expect(framed[0]).toBe(0);
    const decoded = new AvroDeserializer(directory).deserializeMessage('any.topic', framed);
    expect(decoded).toEqual({ ok: true, value: txn() });
  });

  it('says what is wrong with bytes that are no event', () => {
    const decoded = new AvroDeserializer().deserializeMessage('txn.events', Buffer.from([2, 97]));
    expect(decoded).toMatchObject({ ok: false, reason: 'decode_failed' });
  });
});

describe('Redis sink, sink connector and feature store', () => {
  it('a FeatureSink refuses an unusable Redis URL, naming it', () => {
    expectError(
      () => createFeatureSink({ redisUrl: 'localhost:6379' }),
      'invalid_argument',
      'feature sink option redisUrl is unusable: "localhost:6379" (expected redis://host:port, rediss://host:port, or redis+cluster://host:port[,host:port...] for a Redis Cluster)',
    );
    expect(FeatureSink).toBeTypeOf('function');
  });

  it('a FeatureStore read from a Redis that is not there fails as unavailable, retriable', async () => {
    const store = createFeatureStore({ redisUrl: 'redis://127.0.0.1:1', connectTimeoutMs: 500 });
    expect(store).toBeInstanceOf(FeatureStore);
    const failure = await store.get('card', 'card-1').catch((error: unknown) => error);
    await store.close();
    expect(failure).toBeInstanceOf(FeatureflowError);
    expect((failure as FeatureflowError).code).toBe('unavailable');
    expect((failure as FeatureflowError).retriable).toBe(true);
  });

  it('the sink connector refuses a topic that is no job feature topic', () => {
    expectError(
      () =>
        new SinkConnector({
          brokers: ['127.0.0.1:1'],
          redisUrl: 'redis://127.0.0.1:1',
          groupId: 'public-api-test',
          topics: [{ topic: 'txn.events', schemaTopic: 'txn.events' }],
          jobs: builtInJobRegistry(),
          log: () => {},
        }),
      'invalid_argument',
      'txn.events is not the feature topic of any job (feature topics: features.transactions, features.clickstream; a job of your own is loaded with --definitions or FEATUREFLOW_DEFINITIONS)',
    );
  });
});

describe('metrics and the definitions API', () => {
  it('the seed metrics are on the shared registry', async () => {
    FEATURES_COMPUTED.inc({ feature_type: 'public_api_test' });
    WINDOW_SIZE.observe({ window_type: 'public_api_test' }, 3);
    REDIS_WRITES.inc({ status: 'written' }, 0);
    const text = await METRICS_REGISTRY.metrics();
    expect(text).toContain('featureflow_features_computed_total{feature_type="public_api_test"} 1');
    expect(text).toContain('featureflow_window_size_count{window_type="public_api_test"} 1');
    expect(text).toContain('# TYPE featureflow_redis_writes_total counter');
  });

  it('a definitions module of defineJob jobs loads into a registry beside the built-in ones', async () => {
    const jobs = await loadJobRegistry('examples/logins');
    expect(jobs.jobs.map((job) => job.name)).toEqual(['transactions', 'clickstream', 'logins']);
    const logins = jobs.get('logins');
    const event = {
      event_id: 'l-1',
      user_id: 'u-1',
      ip: '10.0.0.1',
      country: 'DE',
      success: false,
      timestamp: T0,
    };
    expect(logins.validate(event)).toEqual({ ok: true, event });
    const window = { entityId: 'u-1', windowStart: T0, windowEnd: T0 + 10 * MINUTE };
    expect(logins.computeFeatures([event], window)).toMatchObject({
      login_count: 1,
      failed_login_count: 1,
      failure_rate: 1,
    });
    expect(defineJob).toBeTypeOf('function');
  });
});
