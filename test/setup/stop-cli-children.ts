import { afterAll } from 'vitest';
import { stopRunningChildren } from '../cli-harness';

// Registered before each integration test file's own hooks, so it runs after them (vitest runs
// afterAll hooks last-registered first): a test that failed or timed out half-way must not leave
// a `serve` running.
afterAll(stopRunningChildren);
