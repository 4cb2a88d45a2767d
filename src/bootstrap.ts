import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Router from '@koa/router';
import { withAckDeadline } from './app/ack-deadline';
import { DeliveryEngine, type EngineOptions } from './app/delivery/engine';
import type { PlatformLimits } from './app/delivery/limiter';
import type { AppDeps } from './app/deps';
import { Directory, type ResolveReport, type Unresolved } from './app/directory';
import { reresolveLeavers } from './app/org-changes';
import { OrgHolder } from './app/org-holder';
import { createPipeline } from './app/pipeline';
import type { Clock } from './app/ports';
import { type Config, DEFAULT_RATE_LIMITS } from './config/env';
import { watchConfigFiles } from './config/live-reload';
import { type OrgFile, OrgFileError, parseOrgFile } from './config/org-file';
import { checkOrgAgainstProcess, WARNING } from './config/org-process';
import { loadCurrentProcess, StoredProcessRegistry } from './config/processes';
import type { ProcessDefinition } from './domain/process/definition';
import { createHttpApp } from './http/app';
import { trackRequests } from './http/drain';
import { mountMetrics } from './http/routes/metrics';
import { mountWebhook } from './http/routes/webhook';
import { mountWecom } from './http/routes/wecom';
import { tick as housekeepingTick } from './jobs/housekeeping.job';
import { tick as remindersTick } from './jobs/reminders.job';
import { startScheduler } from './jobs/scheduler';
import { DingtalkAdapter } from './platforms/dingtalk/adapter';
import { FeishuAdapter } from './platforms/feishu/adapter';
import { LocalAdapter } from './platforms/local/adapter';
import type { InboundHandler, Platform, PlatformAdapter } from './platforms/types';
import { WecomAdapter } from './platforms/wecom/adapter';
import { createLogger, type Logger } from './shared/logger';
import { createMetrics, type Metrics } from './shared/metrics';
import { SqliteActivityRepo } from './store/activity.repo';
import { SqliteAuditRepo } from './store/audit.repo';
import { SqliteCardMessageRepo } from './store/card-messages.repo';
import { startCheckpointer } from './store/checkpointer';
import { SqliteConsoleQueries } from './store/console.queries';
import { inlineConsoleReader, WorkerConsoleReader } from './store/console-reader';
import { type DB, openDb } from './store/db';
import { SqliteDelegationRepo } from './store/delegations.repo';
import { SqliteDirectoryCache } from './store/directory-cache.repo';
import { SqliteInboundLog } from './store/inbound-events.repo';
import { SqliteMessageLog } from './store/local-messages.repo';
import { sqliteMetricsSources } from './store/metrics.queries';
import { SqliteOrgRepo } from './store/org.repo';
import { SqliteOutboxRepo } from './store/outbox.repo';
import { SqliteAdapterState } from './store/platform-state.repo';
import { SqliteProcessVersions } from './store/process-versions.repo';
import { SqliteProjectRepo } from './store/projects.repo';
import { SqliteReminderRepo } from './store/reminders.repo';
import { groupedTransactions, transactional } from './store/transaction';
import { SqliteWorkQueries } from './store/work-queries.repo';
import { createDirectoryRunner } from './wire-directory';
import { countedAdapters, observedHandler, timedHandler } from './wire-metrics';
import { createReloader, type ReloadResult } from './wire-reload';

export const DEMO_ORG_FILE = new URL('../org.example.yaml', import.meta.url);

export interface BootstrapOptions {
  clock?: Clock;
  logger?: Logger;
  /** Overrides ORG_FILE (tests). */
  org?: OrgFile;
  /** Overrides PROCESS_FILE (tests). */
  process?: ProcessDefinition;
  /** Run the node-cron jobs (off in tests, which call the ticks directly). */
  scheduler?: boolean;
  /** Extra route mounts, e.g. the local simulator page. */
  mounts?: ((router: Router, handoff: Handoff) => void)[];
  /** Delivery engine overrides: a virtual clock and sleep for the rate windows, no wake-up timers (tests). */
  /** How long before a platform's ack deadline the "处理中…" answer goes out (default 500 ms). */
  ackMarginMs?: number;
  /** Wraps each platform's pipeline before the ack deadline (tests inject a slow handler). */
  wrapInbound?: (platform: Platform, handler: InboundHandler) => InboundHandler;
  delivery?: Pick<EngineOptions, 'now' | 'sleep' | 'wakeTimers' | 'marginMs' | 'maxAttempts'>;
  /** Directory pacing and retries (tests: a sleep that records instead of waiting). */
  directory?: { sleep?: (ms: number) => Promise<void>; maxAttempts?: number };
  /** Reload on SIGHUP and (unless config.watchConfig is false) on changes of ORG_FILE / PROCESS_FILE, from `listen()`
   * on (default true; tests that call `listen()` in-process turn it off). */
  watch?: boolean;
}

export interface Handoff {
  config: Config;
  db: DB;
  deps: AppDeps;
  adapters: Map<Platform, PlatformAdapter>;
  local: LocalAdapter | null;
  feishu: FeishuAdapter | null;
  dingtalk: DingtalkAdapter | null;
  wecom: WecomAdapter | null;
  /** The inbound pipeline of each running platform (what transports call). */
  pipelines: ReadonlyMap<Platform, InboundHandler>;
  /** Prometheus metrics, served at /metrics. */
  metrics: Metrics;
  /** One reminder sweep now (what the cron job runs): overdue documents and waiting approvals. */
  remind(): Promise<{ reminders: number; nudges: number }>;
  /** Delivers every due outbox row (waiting for rate windows), then resolves. */
  flush(): Promise<void>;
  /** The outbox delivery engine (one runner per platform). */
  delivery: DeliveryEngine;
  listen(): Promise<{ url: string; server: Server }>;
  stop(): Promise<void>;
  /** The organisation in force (swapped by a reload). */
  org: OrgHolder;
  /** Resolves org users given by e-mail/mobile through the platforms' contact APIs (only new ones unless `refresh`). */
  resolveDirectory(opts?: { refresh?: boolean }): Promise<ResolveReport>;
  /** Who has an e-mail/mobile but no id on a running platform, and why (for the admin console). */
  unresolved(): Unresolved[];
  /** Re-reads ORG_FILE and PROCESS_FILE now (what a change or SIGHUP triggers). */
  reload(why?: string): ReloadResult;
}

export function loadOrg(config: Config): { org: OrgFile; source: string } {
  const source = config.orgFile ?? DEMO_ORG_FILE.pathname;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new OrgFileError(`cannot read ORG_FILE ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { org: parseOrgFile(text, source), source };
}

/** The composition root: config → db → repos → adapters → pipeline → http → jobs. */
/** The console's queries: in a worker for a database file, in-thread for `:memory:` (a worker cannot see it). */
function consoleReader(path: string, local: SqliteConsoleQueries) {
  return path === ':memory:' ? inlineConsoleReader(local) : new WorkerConsoleReader(path, local);
}

export function bootstrap(config: Config, opts: BootstrapOptions = {}): Handoff {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock: Clock = opts.clock ?? { now: () => new Date() };
  const db = openDb(config.databasePath);
  const delegations = new SqliteDelegationRepo(db);
  const orgRepo = new SqliteOrgRepo(db, delegations, () => clock.now());
  const orgFile = opts.org ?? loadOrg(config).org;
  const processes = new StoredProcessRegistry(
    new SqliteProcessVersions(db, () => clock.now()),
    config,
    loadCurrentProcess(config, opts.process),
  );
  // The org must staff every role the processes in use need; a gap stops start-up with the key path.
  const problems = checkOrgAgainstProcess(orgFile, [processes.current().def]);
  const errors = problems.filter((p) => !p.startsWith(WARNING));
  if (errors.length)
    throw new OrgFileError(`the organisation does not fit the process:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  for (const w of problems.filter((p) => p.startsWith(WARNING))) logger.warn(w.slice(WARNING.length));

  const adapters = new Map<Platform, PlatformAdapter>();
  const feishu = config.feishu
    ? new FeishuAdapter({
        appId: config.feishu.appId,
        appSecret: config.feishu.appSecret,
        ...(config.feishu.verificationToken ? { verificationToken: config.feishu.verificationToken } : {}),
        ...(config.feishu.encryptKey ? { encryptKey: config.feishu.encryptKey } : {}),
        baseUrl: config.feishu.baseUrl,
        clock: () => clock.now(),
        logger: logger.child({ platform: 'feishu' }),
        timeZone: config.timeZone,
      })
    : null;
  if (feishu) adapters.set('feishu', feishu);
  const dingtalk = config.dingtalk
    ? new DingtalkAdapter({
        clientId: config.dingtalk.clientId,
        clientSecret: config.dingtalk.clientSecret,
        robotCode: config.dingtalk.robotCode,
        cardTemplateId: config.dingtalk.cardTemplateId,
        baseUrl: config.dingtalk.baseUrl,
        ...(config.dingtalk.oapiBaseUrl ? { oapiBaseUrl: config.dingtalk.oapiBaseUrl } : {}),
        ...(config.dingtalk.cardCallbackRouteKey ? { cardCallbackRouteKey: config.dingtalk.cardCallbackRouteKey } : {}),
        ...(config.dingtalk.cardCallbackSecret ? { cardCallbackSecret: config.dingtalk.cardCallbackSecret } : {}),
        clock: () => clock.now(),
        logger,
        timeZone: config.timeZone,
      })
    : null;
  if (dingtalk) adapters.set('dingtalk', dingtalk);
  const wecom = config.wecom
    ? new WecomAdapter({
        corpId: config.wecom.corpId,
        agentId: config.wecom.agentId,
        secret: config.wecom.secret,
        token: config.wecom.token,
        aesKey: config.wecom.aesKey,
        baseUrl: config.wecom.baseUrl,
        ...(config.wecom.newsWebhook ? { newsWebhook: config.wecom.newsWebhook } : {}),
        clock: () => clock.now(),
        logger: logger.child({ platform: 'wecom' }),
        state: new SqliteAdapterState(db, 'wecom', () => clock.now()),
        timeZone: config.timeZone,
      })
    : null;
  if (wecom) adapters.set('wecom', wecom);
  const local = config.localUi ? new LocalAdapter(() => clock.now(), 5000, new SqliteMessageLog(db)) : null;
  if (local) adapters.set('local', local);

  // The directory: people given by e-mail/mobile get their ids from each running platform's contact API.
  const lookups = new Map([...adapters].flatMap(([p, a]) => (a.contacts ? [[p, a.contacts] as const] : [])));
  const directory = new Directory({
    cache: new SqliteDirectoryCache(db),
    lookups,
    clock,
    logger: logger.child({ component: 'directory' }),
    ...opts.directory,
  });
  const org = new OrgHolder(orgFile, (o) => orgRepo.load(o), directory);

  const projects = new SqliteProjectRepo(db);
  const tx = transactional(db, projects);
  const deps: AppDeps = {
    tx,
    txGrouped: groupedTransactions(db, projects),
    projects,
    audit: new SqliteAuditRepo(db),
    activity: new SqliteActivityRepo(db),
    org: orgRepo,
    inbound: new SqliteInboundLog(db),
    outbox: new SqliteOutboxRepo(db),
    cardMessages: new SqliteCardMessageRepo(db),
    clock,
    logger,
    timeZone: config.timeZone,
    platforms: [...adapters.keys()],
    reminders: new SqliteReminderRepo(db),
    processes,
    work: new SqliteWorkQueries(db),
    reminderConfig: config.reminders,
    console: consoleReader(config.databasePath, new SqliteConsoleQueries(db)),
    delegations,
  };
  // Work bound to people who left the org file goes to the role's current members (issue 10, finding 7).
  const reresolved = reresolveLeavers(deps);
  if (reresolved) logger.info('open work of people who left the organisation re-resolved', { projects: reresolved });

  const outboxRepo = deps.outbox as SqliteOutboxRepo;
  const metrics = createMetrics(sqliteMetricsSources(db, () => clock.now()));
  const dispatchAdapters = countedAdapters(adapters, metrics);
  const limits = new Map<Platform, PlatformLimits>();
  for (const p of ['feishu', 'dingtalk', 'wecom'] as const) {
    limits.set(p, config.delivery?.limits[p] ?? DEFAULT_RATE_LIMITS[p]);
  }
  const runner = new DeliveryEngine(deps, dispatchAdapters, {
    limits,
    concurrency: config.delivery?.concurrency ?? 32,
    marginMs: 60,
    ...opts.delivery,
    onError: (e) => logger.error('outbox delivery failed', { error: e instanceof Error ? e.message : String(e) }),
  });
  // After each commit, deliver on the next tick: never before the HTTP reply (Feishu wants the ack first). Only the
  // platforms the commits queued rows for are woken (the cron tick and the timers look at every platform).
  const kick = () => {
    setImmediate(() => runner.nudge(outboxRepo.takeQueued()));
  };
  deps.afterCommit = kick;
  const ackMarginMs = opts.ackMarginMs ?? 500;
  const pipelines = new Map<Platform, InboundHandler>(
    [...adapters].map(([p, adapter]) => {
      const pipeline = createPipeline(deps, p, {
        afterCommit: kick,
        ...(adapter.deferredAck ? { deferredAck: adapter.deferredAck.bind(adapter) } : {}),
        answersClickedCard: adapter.answersClickedCard === true,
      });
      const inner = opts.wrapInbound ? opts.wrapInbound(p, pipeline) : pipeline;
      // The simulator is in-process and has no deadline; every real platform gets its answer in time.
      if (p === 'local') return [p, inner];
      const handler = withAckDeadline(inner, {
        deadlineMs: Math.max(50, adapter.ackDeadlineMs - ackMarginMs),
        late: pipeline.late,
        onError: (e, ev) =>
          logger.error('late inbound handling failed', {
            platform: p,
            eventId: ev.kind === 'ignored' ? undefined : ev.eventId,
            error: e instanceof Error ? e.message : String(e),
          }),
      });
      return [p, handler];
    }),
  );
  const localPipeline = pipelines.get('local');
  if (local && localPipeline) local.attach(localPipeline);

  let http: ReturnType<typeof trackRequests> | null = null;
  let stopping: Promise<void> | null = null;
  let scheduler: { stop(): Promise<void> } | null = null;
  /** Long-lived inbound connections (Feishu WSClient, DingTalk Stream), stopped on shutdown. */
  const sources: { stop(): Promise<void> }[] = [];
  let watcher: { stop(): void } | null = null;

  const directoryRunner = createDirectoryRunner({ directory, org, deps, logger, kick });
  /** The files a reload re-reads (none where a test passed the org or process in directly). */
  const reloadable = {
    org: opts.org ? undefined : config.orgFile,
    process: opts.process ? undefined : config.processFile,
  };
  const reload = createReloader({
    orgFile: reloadable.org,
    processFile: reloadable.process,
    holder: org,
    processes,
    deps,
    logger,
    afterOrgChange: () => {
      kick();
      directoryRunner.resolveSoon();
    },
  });

  // Started once nothing above can refuse to start (a refused start leaves no thread behind).
  const checkpointer =
    config.databasePath === ':memory:'
      ? null
      : startCheckpointer(db, config.databasePath, { onError: (m) => logger.warn(m) });
  const handoff: Handoff = {
    config,
    db,
    deps,
    adapters,
    local,
    feishu,
    dingtalk,
    wecom,
    pipelines,
    delivery: runner,
    metrics,
    org,
    resolveDirectory: directoryRunner.resolve,
    unresolved: () => directory.unresolved(org.current()),
    reload,
    async remind() {
      let result: { reminders: number; nudges: number };
      try {
        result = remindersTick(deps, clock.now());
      } catch (e) {
        metrics.reminderSweep(false);
        throw e;
      }
      metrics.reminderSweep(true, result);
      await runner.kick();
      return result;
    },
    async flush() {
      await runner.kick();
      await runner.idle();
    },
    async listen() {
      if (feishu) await feishu.loadBotInfo();
      const mounts: ((router: Router) => void)[] = [];
      if (feishu && config.feishu?.mode === 'webhook') {
        const handle = pipelines.get('feishu');
        const observe = observedHandler(metrics, 'feishu', 'webhook');
        if (handle) {
          mounts.push((r) => mountWebhook(r, ['/feishu/events', '/feishu/cards'], feishu, handle, ['POST'], observe));
        }
      }
      const dingtalkHandle = pipelines.get('dingtalk');
      if (dingtalk && dingtalkHandle && config.dingtalk?.mode === 'http') {
        const observe = observedHandler(metrics, 'dingtalk', 'webhook');
        mounts.push((r) => mountWebhook(r, ['/dingtalk/callback'], dingtalk, dingtalkHandle, ['POST'], observe));
      }
      // HTTP card callbacks are independent of the robot's mode: they go to the URL registered for the route key.
      if (dingtalk && dingtalkHandle && config.dingtalk?.cardCallbackRouteKey) {
        const observe = observedHandler(metrics, 'dingtalk', 'webhook');
        const cards = dingtalk.cardCallbacks;
        mounts.push((r) => mountWebhook(r, ['/dingtalk/cards'], cards, dingtalkHandle, ['POST'], observe));
      }
      const wecomHandle = pipelines.get('wecom');
      if (wecom && wecomHandle) {
        mounts.push((r) => mountWecom(r, wecom, wecomHandle, observedHandler(metrics, 'wecom', 'webhook')));
      }
      mounts.push((r) => mountMetrics(r, metrics, config.metricsToken));
      for (const m of opts.mounts ?? []) mounts.push((r) => m(r, handoff));
      const app = createHttpApp({
        logger,
        health: () => ({ platforms: deps.platforms, pendingOutbox: deps.outbox.pendingCount() }),
        mounts,
      });
      if (feishu && config.feishu?.mode === 'ws') {
        const handle = pipelines.get('feishu');
        if (handle) sources.push(await feishu.startLongConnection(timedHandler(metrics, 'feishu', 'ws', handle)));
      }
      if (dingtalk && dingtalkHandle && config.dingtalk?.mode === 'stream') {
        sources.push(await dingtalk.startStream(timedHandler(metrics, 'dingtalk', 'stream', dingtalkHandle)));
      }
      if (opts.scheduler !== false) {
        scheduler = startScheduler(
          [
            { name: 'outbox', schedule: '*/10 * * * * *', tick: () => runner.kick() },
            { name: 'reminders', schedule: config.reminders.cron, tick: () => handoff.remind() },
            { name: 'housekeeping', schedule: '17 3 * * *', tick: async () => housekeepingTick(deps, clock.now()) },
            ...(directoryRunner.active
              ? [
                  {
                    name: 'directory',
                    schedule: config.directoryCron ?? '30 6 * * *',
                    tick: () => directoryRunner.resolve({ refresh: true }),
                  },
                ]
              : []),
          ],
          config.timeZone,
          logger,
        );
      }
      // Drain what a previous run committed but did not deliver (a crash between commit and send).
      void runner.kick();
      // People new to the directory are looked up in the background: until then they are not reachable there.
      directoryRunner.resolveSoon();
      // Live reload: SIGHUP always (so it never kills the server), file changes unless CONFIG_WATCH=off.
      if (opts.watch !== false) {
        const files = config.watchConfig === false ? [] : [reloadable.org, reloadable.process];
        watcher = watchConfigFiles({ files: files.filter((f): f is string => !!f), reload, logger });
      }
      const srv = app.listen(config.port, config.host);
      http = trackRequests(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('listening', resolve);
        srv.once('error', reject);
      });
      const cardUrl = config.dingtalk?.cardCallbackUrl;
      if (dingtalk && cardUrl) {
        // Registered once listening (DingTalk may call it at once). A failure is logged, not fatal: robot messages
        // still work, and the route key keeps whatever was registered before.
        await dingtalk.registerCardCallback(cardUrl).then(
          () => logger.info('dingtalk card callback registered', { url: cardUrl }),
          (e: unknown) =>
            logger.error('dingtalk card callback registration failed: card clicks may not arrive', {
              url: cardUrl,
              error: e instanceof Error ? e.message : String(e),
            }),
        );
      }
      const addr = srv.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return { url: `http://${host}:${addr.port}`, server: srv };
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
  /**
   * Graceful stop: no new work (cron, long connections, listener), the requests in flight finish, the outbox is
   * drained while the grace period lasts; then leases still held are released (the next start sends those rows
   * at once instead of waiting for the 60 s lease to expire) and SQLite is closed.
   */
  async function shutdown(): Promise<void> {
    const deadline = Date.now() + config.shutdownGraceMs;
    watcher?.stop();
    await scheduler?.stop();
    for (const s of sources.splice(0)) await s.stop();
    if (http && !(await http.close(config.shutdownGraceMs))) {
      logger.warn('shutdown: requests still running after the grace period were cut');
    }
    // Commits of the last requests kick the outbox on the next tick.
    await new Promise((r) => setImmediate(r));
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now()));
    });
    const drained = await Promise.race([runner.idle().then(() => true), cut]);
    clearTimeout(timer);
    outboxRepo.stopLeasing();
    await runner.stop();
    const released = outboxRepo.releaseHeld();
    if (!drained) logger.warn('shutdown: outbox pass cut at the grace period', { released });
    await deps.console?.close();
    await checkpointer?.stop();
    db.$client.close();
  }
  return handoff;
}
