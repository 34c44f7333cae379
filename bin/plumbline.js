#!/usr/bin/env node
// The CLI entry: runs the compiled CLI (npm run build writes dist/; npm pack and publish build first).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)).then((code) => process.exit(code)));
