#!/usr/bin/env node
// Development entry: runs the compiled CLI after a fresh build is not needed for tests; use `npm run build` first.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
