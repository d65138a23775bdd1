// `sesd start`: checks the data dir, takes the SQLite lock, starts the node and prints what a user
// needs next (where the data and keys are, ready-to-paste credentials, the listeners), then drains
// on SIGTERM/SIGINT (a second signal exits at once).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startApp, startWorkerNode, type RunningApp } from '../app.js';
import type { Config } from '../config/load-config.js';
import { credentialsFileKeyId, CREDENTIALS_PROFILE } from '../domain/provision-access-keys.js';
import { createLogger } from '../logger.js';
import { databaseTarget } from '../store/database-url.js';
import { acquireLock, prepareDataDir } from './data-dir.js';
import { configFrom, withConfigOptions } from './config-options.js';

const out = (line: string) => process.stdout.write(line + '\n');

export function registerStartCommand(program: Command): void {
  withConfigOptions(program.command('start').description('start sesd (--role all: API, SMTP and delivery; api; worker)')).action(async (options: Record<string, unknown>) => {
    const config = configFrom(options);
    const log = createLogger(config);
    if (prepareDataDir(config.dataDir).tightened) out(`sesd data dir ${config.dataDir} was readable by others: now 0700 (it holds secrets)`);
    const target = databaseTarget(config.databaseUrl, config.dataDir);
    const releaseLock = target.dialect === 'sqlite' ? acquireLock(`${target.file}.lock`, target.file) : () => undefined;
    const node = config.role === 'worker' ? await startWorker(config, log) : await startServer(config, log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without draining');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal, timeout: config.shutdownTimeout }, 'shutting down: finishing the requests and SMTP transactions in flight');
      node.close().then(
        () => {
          releaseLock();
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

async function startWorker(config: Config, log: ReturnType<typeof createLogger>): Promise<{ close(): Promise<void> }> {
  const node = await startWorkerNode(config, log);
  out(`sesd data: ${node.store.location} (${node.store.dialect}); delivery mode: ${config.delivery.mode}`);
  out(`sesd delivery worker ${node.workerId} running`);
  return node;
}

async function startServer(config: Config, log: ReturnType<typeof createLogger>): Promise<RunningApp> {
  const app = await startApp(config, log);
  out(`sesd data: ${app.store.location} (${app.store.dialect}); delivery mode: ${config.delivery.mode}`);
  await printCredentials(app, config);
  if (app.smtpTls?.selfSigned) {
    out(`sesd SMTP TLS: self-signed certificate ${app.smtpTls.certFile}${app.smtpTls.created ? ' (created now)' : ''}; set SESD_TLS_CERT and SESD_TLS_KEY to use your own`);
  }
  const smtpUrls = [...(app.smtpUrl ? [`smtp=${app.smtpUrl}`] : []), ...(app.smtpsUrl ? [`smtps=${app.smtpsUrl}`] : [])];
  out([`sesd listening http=${app.httpUrl}`, ...smtpUrls, `console=${app.httpUrl}/`].join(' '));
  return app;
}

/** Where the keys are, as values to paste (never a secret: those stay in the 0600 credentials file). */
async function printCredentials(app: RunningApp, config: Config): Promise<void> {
  const { keys } = app;
  if (keys.created) out(`sesd created access key ${keys.created.accessKeyId} for account ${keys.created.accountId} (first start)`);
  if (keys.provisioned.length > 0) out(`sesd access keys from SESD_ACCESS_KEYS: ${keys.provisioned.join(', ')}`);
  if (keys.removed.length > 0) out(`sesd removed access keys no longer in SESD_ACCESS_KEYS: ${keys.removed.join(', ')}`);
  const fileKeyId = credentialsFileKeyId(config.dataDir);
  const fileKey = fileKeyId ? await app.store.accounts.findAccessKey(fileKeyId) : undefined;
  if (fileKey) {
    out(`sesd credentials: ${keys.credentialsFile}, profile "${CREDENTIALS_PROFILE}" (key ${fileKey.accessKeyId}, account ${fileKey.accountId}); for the AWS CLI and SDKs:`);
    out(`     export AWS_SHARED_CREDENTIALS_FILE=${resolve(keys.credentialsFile)} AWS_PROFILE=${CREDENTIALS_PROFILE}`);
    out(`     SMTP user ${fileKey.accessKeyId}, password: \`npx sesd smtp-password\``);
  } else if (keys.provisioned.length === 0) {
    out(`sesd credentials: ${fileKeyId ? `the key in ${keys.credentialsFile} was deleted; ` : ''}see \`sesd keys list\`, or create one with \`sesd keys create\``);
  }
}
