import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../shared/logger';

export interface LiveReloadOptions {
  /** The files to watch (the org file, the process file); missing ones are skipped. */
  files: string[];
  /** Re-reads the files; called once per burst of changes and on SIGHUP. */
  reload: (why: string) => void;
  logger: Logger;
  /** Changes closer together than this are one reload (editors write in several steps). Default 300 ms. */
  debounceMs?: number;
  /** Listen for SIGHUP (default true). */
  sighup?: boolean;
}

/**
 * Watches the configuration files and calls `reload` after they change (debounced) and on SIGHUP. Each file's
 * folder is watched rather than the file, so an editor that saves by writing a new file and renaming it over the
 * old one (vim, most IDEs) is still seen.
 */
export function watchConfigFiles(opts: LiveReloadOptions): { stop(): void } {
  const debounceMs = opts.debounceMs ?? 300;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (why: string) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      try {
        opts.reload(why);
      } catch (e) {
        opts.logger.error('reload failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }, debounceMs);
  };
  const byDir = new Map<string, Set<string>>();
  for (const f of opts.files) {
    const abs = resolve(f);
    const names = byDir.get(dirname(abs)) ?? new Set<string>();
    names.add(basename(abs));
    byDir.set(dirname(abs), names);
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name))) schedule(`changed: ${name ?? dir}`);
      });
      w.on('error', (e) => opts.logger.warn('watching config files failed', { dir, error: e.message }));
      watchers.push(w);
    } catch (e) {
      opts.logger.warn('cannot watch config files', { dir, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const onHup = () => schedule('SIGHUP');
  if (opts.sighup !== false) process.on('SIGHUP', onHup);
  return {
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      for (const w of watchers) w.close();
      process.off('SIGHUP', onHup);
    },
  };
}
