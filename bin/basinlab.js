#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx basinlab …` works from a checkout with no build step.
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { register } from 'tsx/esm/api';

// tsx keeps its compiled-module cache in a directory it makes in os.tmpdir() ($TMPDIR), and a
// TMPDIR that is not a writable directory made every command, --version included, die in tsx with
// a stack trace before any basinlab code ran (walkthrough 23 item 4). There it compiles in memory
// instead (TSX_DISABLE_CACHE, read when tsx loads: a slower start, nothing written), so commands
// that do not need TMPDIR work and the one that does (sweep to stdout stages its JSON there) says
// so itself. Checked here, before tsx is loaded, since that is when it reads the variable.
function tmpdirUsable() {
  try {
    const dir = tmpdir();
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
if (!tmpdirUsable()) process.env.TSX_DISABLE_CACHE = '1';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit here rather than let the event loop drain: its teardown closes the signal handlers, and a
// SIGINT or SIGTERM arriving then (the output already renamed into place) killed the process with
// the signal's default action, reading 130/143 for a complete result (walkthrough 23 item 5).
// Until process.exit the CLI's handlers absorb signals. Whatever stdout and stderr still hold (a
// pipe whose reader is slow queues writes) is written first: a write's callback comes after every
// write queued before it, and comes with an error on a failed or destroyed stream just the same.
const flushed = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
