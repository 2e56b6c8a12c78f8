import type { SimState, TlsState, TlsSubscription } from './state';

/** `pending` → `processing` → `issued`, one TLS delay each, unless made to fail. */
export function tlsStateOf(state: SimState, subscription: TlsSubscription): TlsState {
  if (subscription.failed) return 'failed';
  const elapsed = state.now() - subscription.startedAt;
  const delay = state.config.tlsDelayMs;
  if (elapsed < delay) return 'pending';
  if (elapsed < 2 * delay) return 'processing';
  return 'issued';
}
