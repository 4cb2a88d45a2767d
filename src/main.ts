import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config/env';
import { OrgFileError } from './config/org-file';
import { ProcessFileError } from './config/process-file';
import { applyHeapSettings, NODE_FLAGS } from './heap-settings';
import { createLogger } from './shared/logger';

/** Entry point: `npm start` (compiled: `node --max-semi-space-size=4 dist/src/main.js`, src/heap-settings.ts). Fails fast, with a message that says what to fix, on bad configuration. */
async function main(): Promise<void> {
  const sized = applyHeapSettings();
  let handoff: ReturnType<typeof bootstrap>;
  try {
    const config = loadConfig();
    const { mountLocalUi } = await import('./http/routes/local');
    const { mountAdmin } = await import('./http/routes/admin');
    handoff = bootstrap(config, { mounts: [...(config.localUi ? [mountLocalUi] : []), (r, h) => mountAdmin(r, h)] });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OrgFileError || e instanceof ProcessFileError) {
      process.stderr.write(`Handoff cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(handoff.config.logLevel);
  if (!sized)
    logger.info(`started without ${NODE_FLAGS.join(' ')}: the heap may grow ~30 MB larger (see npm start)`, {
      execArgv: process.execArgv,
    });
  let url: string;
  try {
    ({ url } = await handoff.listen());
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${handoff.config.port} is already in use. Stop the other process or set PORT to a free port.`
        : e instanceof Error
          ? e.message
          : String(e);
    process.stderr.write(`Handoff cannot start: ${why}\n`);
    await handoff.stop().catch(() => {});
    process.exit(1);
  }
  const c = handoff.config;
  const lines = [
    'Handoff is running.',
    `  platforms: ${[...handoff.adapters.keys()].join(', ')}${c.feishu ? ` (feishu mode: ${c.feishu.mode})` : ''}`,
    `  database:  ${c.databasePath}`,
    `  org:       ${c.orgFile ?? 'demo organisation (org.example.yaml)'}`,
    c.localUi ? `  simulator: ${url}/  ← open this page to play every role` : `  health:    ${url}/healthz`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // Graceful stop on SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C): exit 0 once nothing is lost; a second
  // signal, or a stop that outlives the grace period by 5 s, exits at once (leases expire; nothing is committed half).
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, c.shutdownGraceMs + 5000).unref();
    try {
      await handoff.stop();
      logger.info('stopped', { signal });
      process.exit(0);
    } catch (e) {
      logger.error('shutdown failed', { error: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
