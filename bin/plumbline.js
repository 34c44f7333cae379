#!/usr/bin/env node
// The CLI entry: runs the compiled CLI (npm run build writes dist/; npm pack and publish build first).
import('../dist/cli/main.js').then(
  (m) => m.main(process.argv.slice(2)).then(exitOnceWritten),
  (error) => {
    // In a clone of the repository nothing has built dist/ yet: say what works there.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js'))
      throw error;
    process.stderr.write(
      'plumbline: dist/ is not built. Inside the plumbline repository run the CLI from source with ' +
        '`npm run plumbline -- <command> ...`, or build it first with `npm run build`.\n',
    );
    exitOnceWritten(2);
  },
);

/**
 * Exits with `code` once stdout and stderr have handed the OS all that was written to them. A
 * pipe takes 64 KiB at once and Node queues the rest: process.exit() right after the write threw
 * the queue away (`plumbline schema export ... | cat` gave 65,536 of 10,255,047 bytes, exit 0).
 */
function exitOnceWritten(code) {
  let open = 2;
  for (const stream of [process.stdout, process.stderr]) {
    let flushed = false;
    const done = () => {
      if (flushed) return;
      flushed = true;
      open -= 1;
      if (open === 0) process.exit(code);
    };
    // A reader that left (`| head`) fails the write (EPIPE): nothing more can reach it.
    stream.once('error', done);
    stream.write('', done);
  }
}
