import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,api,edge,cli,cloudflare,test,bench}/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
