import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config/env';
import { OrgFileError } from './config/org-file';
import { ProcessFileError } from './config/process-file';
import { createLogger } from './shared/logger';

/** Entry point: `npm start`. Fails fast, with a message that says what to fix, on bad configuration. */
async function main(): Promise<void> {
  let handoff: ReturnType<typeof bootstrap>;
  try {
    const config = loadConfig();
    const { mountLocalUi } = await import('./http/routes/local');
    handoff = bootstrap(config, { mounts: config.localUi ? [mountLocalUi] : [] });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OrgFileError || e instanceof ProcessFileError) {
      process.stderr.write(`Handoff cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(handoff.config.logLevel);
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
  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await handoff.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
