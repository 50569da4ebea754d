/**
 * Write-once files for key material in a data folder that several replicas may share: the content is
 * written to a private temporary file (mode 0600), synced, and then hard-linked to its final name.
 * `link` fails with EEXIST when another process got there first; then the winner's file is read and
 * returned. So replicas that start together on an empty folder all end up with ONE key set, and a
 * reader never sees a half-written file (the final name appears only when its content is complete).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The content of `file`, or null when it does not exist. */
export function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Create `file` with `content` unless it exists; returns what `file` holds afterwards (ours, or the
 * content another process wrote first).
 */
export function writeOnce(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    return content;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return fs.readFileSync(file, 'utf8');
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
