#!/usr/bin/env node
/**
 * Entry point of `evsectl` (see cli.ts for commands and exit codes).
 */
import { EXIT, main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`evsectl: ${err.message}\n`);
    process.exitCode = EXIT.refused;
  },
);
