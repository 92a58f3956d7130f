#!/usr/bin/env node
// the execute entry alone, not the whole @oclif/core index: a few ms of every start
import {execute} from '@oclif/core/execute'

await execute({dir: import.meta.url})
