/**
 * evsed's own version, read once from package.json (reported at boot and by `evsectl status`).
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    // Running from an unusual layout: report the version as unknown rather than fail to start.
    return '0.0.0';
  }
}

export const EVSED_VERSION = readVersion();
