#!/usr/bin/env node
// Set-up that the README's two commands run first, so that a fresh machine needs nothing else:
// npm dependencies (when node_modules is missing or older than package-lock.json) and, with
// --system (npm test, npm run bench; not npm start, whose app runs in the user's browser), for the
// GPU and browser paths Debian's chromium (SwiftShader's Vulkan driver and the test browser) and the
// Vulkan loader, and for the live torch oracle (tests/torch) Debian's python3-torch under
// /usr/bin/python3. Plain Node with no dependencies: it runs before anything is installed.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const want = new Set(process.argv.slice(2));
const needSystem = want.has('--system');

function run(cmd) {
  console.error(`setup: ${cmd}`);
  execSync(cmd, { stdio: 'inherit' });
}

function stale() {
  if (!existsSync('node_modules/.package-lock.json')) return true;
  return statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
}

if (stale()) run('npm ci --no-audit --no-fund');

if (needSystem) {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') && !existsSync('/usr/lib/aarch64-linux-gnu/libvulkan.so.1')) {
    missing.push('libvulkan1');
  }
  // Also when python3 itself is missing: the package pulls it in.
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) missing.push('python3-torch');
  if (missing.length > 0) {
    const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`);
  }
}
