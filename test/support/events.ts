/** Small builders for test events: every field valid unless the test overrides it. */
import type { ClickEvent } from '../../src/jobs/clickstream.ts';
import type { TransactionEvent } from '../../src/jobs/transactions.ts';

let sequence = 0;

export function txn(
  overrides: Partial<TransactionEvent> & { card_id: string; timestamp: number },
): TransactionEvent {
  sequence++;
  return {
    transaction_id: `t${sequence}`,
    user_id: `u-${overrides.card_id}`,
    merchant_id: 'm1',
    merchant_category: 'grocery',
    amount: 10,
    currency: 'EUR',
    country: 'DE',
    channel: 'pos',
    ...overrides,
  };
}

export function click(
  overrides: Partial<ClickEvent> & { user_id: string; timestamp: number },
): ClickEvent {
  sequence++;
  return {
    event_id: `e${sequence}`,
    session_id: 's1',
    page: '/home',
    event_type: 'page_view',
    referrer: null,
    ...overrides,
  };
}

/** Parses "00:02:00" (hours:minutes:seconds since the epoch) into epoch milliseconds. */
export function at(clock: string): number {
  const [h, m, s] = clock.split(':').map(Number);
  return ((h! * 60 + m!) * 60 + s!) * 1000;
}
