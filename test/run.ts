/**
 * The test runner behind `npm test`: runs every compiled uvu test file (dist/test/**\/*.test.js)
 * in its own Node process, so one file's sockets, timers or crash cannot affect another, and
 * sums up uvu's per-file counts.
 *
 * Usage: node dist/test/run.js [FILTER ...]   (FILTER: substrings of test file paths)
 * Environment: TEST_CONCURRENCY (default 2), TEST_FILE_TIMEOUT_S (default 180).
 * Prints a final line `N passed, N failed`; exits 1 when anything failed or nothing ran.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  output: string;
  note?: string;
}

function count(output: string, label: string): number | null {
  const m = new RegExp(`${label}:\\s+(\\d+)`).exec(output.replace(/\u001b\[[0-9;]*m/g, ''));
  return m ? Number(m[1]) : null;
}

function runFile(file: string, timeoutMs: number): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: path.resolve(root, '..', '..'),
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const total = count(output, 'Total');
      const passed = count(output, 'Passed') ?? 0;
      const skipped = count(output, 'Skipped') ?? 0;
      const failedInFile = total === null ? 0 : Math.max(0, total - passed - skipped);
      const result: FileResult = {
        file: path.relative(root, file),
        passed,
        failed: failedInFile,
        skipped,
        ms: Date.now() - started,
        output,
      };
      if (timedOut) {
        result.failed += 1;
        result.note = `timed out after ${timeoutMs / 1000} s`;
      } else if (total === null) {
        result.failed += 1;
        result.note = `exited with code ${code} without a uvu summary`;
      } else if (code !== 0 && failedInFile === 0) {
        result.failed += 1;
        result.note = `exited with code ${code}`;
      }
      resolve(result);
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = findTests(root)
    .filter((f) => !f.includes(`${path.sep}bench${path.sep}`))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 2));
  const timeoutMs = Math.max(1, Number(process.env.TEST_FILE_TIMEOUT_S ?? 180)) * 1000;
  const results: FileResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const r = await runFile(file, timeoutMs);
      results.push(r);
      const mark = r.failed > 0 ? 'FAIL' : 'ok  ';
      process.stdout.write(
        `${mark} ${r.file.padEnd(48)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${(r.ms / 1000).toFixed(1)} s${r.note ? `  (${r.note})` : ''}\n`,
      );
      if (r.failed > 0) process.stdout.write(`${r.output.trimEnd().split('\n').map((l) => `    | ${l}`).join('\n')}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  process.stdout.write(`\n${files.length} test files\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

void main();
