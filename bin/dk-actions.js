#!/usr/bin/env node
// The local command: runs a dk-actions action from dist/ as a runner would.
import '../dist/cli/index.js'
