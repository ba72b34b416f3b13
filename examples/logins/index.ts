/**
 * A job of one's own, as a project that depends on featureflow writes it: login attempts ->
 * per-user windows of attempts, failures, distinct IPs and countries, and the failure rate.
 *
 *   featureflow replay --definitions examples/logins --job logins --input F --output O
 *   FEATUREFLOW_DEFINITIONS=examples/logins featureflow submit examples/logins/logins.sql
 */
import { countDistinct, defineJob } from 'featureflow';

export interface LoginEvent {
  event_id: string;
  user_id: string;
  ip: string;
  country: string;
  success: boolean;
  timestamp: number;
}

const ipOf = (event: LoginEvent) => event.ip;
const countryOf = (event: LoginEvent) => event.country;

export const logins = defineJob<LoginEvent>({
  name: 'logins',
  doc: 'Login features of one user window: attempts, failures, distinct IPs and countries, failure rate.',
  entity: { kind: 'user', field: 'user_id' },
  eventSchema: 'login_event.avsc',
  reads: ['success', 'ip', 'country'],
  features: [
    { name: 'login_count', type: 'long' },
    { name: 'failed_login_count', type: 'long' },
    { name: 'distinct_ips', type: 'long' },
    { name: 'distinct_countries', type: 'long' },
    { name: 'failure_rate', type: 'double' },
  ],
  window: { size: '10m', slide: '1m', maxOutOfOrderness: '5s' },
  topics: { events: 'login.events', features: 'features.logins' },
  functionName: 'login_features',
  dependsOnWindowBounds: false,
  compute(events, _window, row) {
    let failed = 0;
    for (const event of events) if (!event.success) failed++;
    row.login_count = events.length;
    row.failed_login_count = failed;
    row.distinct_ips = countDistinct(events, ipOf);
    row.distinct_countries = countDistinct(events, countryOf);
    row.failure_rate = failed / events.length;
  },
});
