#!/usr/bin/env node
// Entry point: the only place (with src/lib/ui/output.ts) allowed to end the process.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
