#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx basinlab …` works from a checkout with no build step.
import { register } from 'tsx/esm/api';

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
