import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    testTimeout: 60_000,
    pool: 'forks',
    // CI sets CI=true, which makes ink (read once, at import) print only final frames: the component tests drive
    // an interactive screen, so the workers (and the terminals they start) see CI=false
    env: {CI: 'false', CONTINUOUS_INTEGRATION: 'false'},
  },
})
