/**
 * evsed's own version, read once from package.json (reported at boot and by `evsectl status`).
 * The file is found by walking up from this module: the daemon runs as a bundle whose modules
 * sit at other depths than the compiled files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up += 1) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'evsed') return pkg.version ?? '0.0.0';
    } catch {
      // not here
    }
    dir = path.dirname(dir);
  }
  // An unusual layout: report the version as unknown rather than fail to start.
  return '0.0.0';
}

export const EVSED_VERSION = readVersion();
