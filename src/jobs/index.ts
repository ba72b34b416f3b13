/** The jobs featureflow ships with, in the order commands list them. */
import { clickstream } from './clickstream.ts';
import { transactions } from './transactions.ts';

export const BUILT_IN_JOBS = Object.freeze([transactions, clickstream]);
