#!/usr/bin/env node
// The CLI entry: runs the compiled CLI (npm run build, or the prepare step, writes dist/).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)).then((code) => process.exit(code)));
