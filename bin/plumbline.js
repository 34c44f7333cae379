#!/usr/bin/env node
// The CLI entry: runs the compiled CLI (npm run build writes dist/; npm pack and publish build first).
import('../dist/cli/main.js').then(
  (m) => m.main(process.argv.slice(2)).then(m.exitOnceWritten),
  (error) => {
    // In a clone of the repository nothing has built dist/ yet: say what works there.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js'))
      throw error;
    process.stderr.write(
      'plumbline: dist/ is not built. Inside the plumbline repository run the CLI from source with ' +
        '`npm run plumbline -- <command> ...`, or build it first with `npm run build`.\n',
    );
    // Nothing else runs: the process ends once this line is written.
    process.exitCode = 2;
  },
);
