// Steady sending through real clients (SES v2 and SES v1 through the AWS SDK v3, SMTP through
// Nodemailer) for fault tests and the chaos script: it records every MessageId sesd acknowledged
// and how each refusal was worded, so a test can check that nothing acknowledged was lost and that
// every failure was the AWS-shaped "try again" one.
import { SendEmailCommand as SendEmailV1Command, SESClient } from '@aws-sdk/client-ses';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { smtpPassword } from '../../src/smtp/smtp-password.js';

export type Channel = 'sesv2' | 'ses' | 'smtp';

export interface LoadTarget {
  httpUrl: string;
  smtpUrl?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

export interface LoadTotals {
  accepted: string[];
  /** Failures by `channel kind`, e.g. `sesv2 ServiceUnavailable 503`, `smtp 451`. */
  failures: Record<string, number>;
}

export class SendLoad {
  readonly accepted: string[] = [];
  readonly failures: Record<string, number> = {};
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly sesv2: SESv2Client;
  private readonly ses: SESClient;
  private readonly smtp: nodemailer.Transporter | undefined;
  private n = 0;

  /** `concurrency` loops per channel; `pauseMs` between one loop's sends. */
  constructor(
    target: LoadTarget,
    opts: { channels: Channel[]; concurrency: number; pauseMs?: number; requestTimeoutMs?: number },
  ) {
    const client = { endpoint: target.httpUrl, region: target.region, credentials: target.credentials, maxAttempts: 1 };
    this.sesv2 = new SESv2Client(client);
    this.ses = new SESClient(client);
    if (target.smtpUrl) {
      const { hostname, port } = new URL(target.smtpUrl);
      this.smtp = nodemailer.createTransport({
        host: hostname,
        port: Number(port),
        requireTLS: true,
        pool: true,
        maxConnections: opts.concurrency,
        auth: { user: target.credentials.accessKeyId, pass: smtpPassword(target.credentials.secretAccessKey, target.region) },
        tls: { rejectUnauthorized: false },
      });
    }
    this.loops = opts.channels.flatMap((channel) => Array.from({ length: opts.concurrency }, () => this.loop(channel, opts.pauseMs ?? 0)));
  }

  get totals(): LoadTotals {
    return { accepted: [...this.accepted], failures: { ...this.failures } };
  }

  /** Sends one message through `channel`; resolves with its MessageId or a failure key. */
  async sendOne(channel: Channel): Promise<{ messageId: string } | { failure: string }> {
    const n = this.n++;
    const to = `r${n}@example.net`;
    const subject = `load ${n}`;
    try {
      if (channel === 'sesv2') {
        const out = await this.sesv2.send(
          new SendEmailCommand({
            FromEmailAddress: 'sender@example.com',
            Destination: { ToAddresses: [to] },
            Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `message ${n}` } } } },
          }),
        );
        return { messageId: out.MessageId! };
      }
      if (channel === 'ses') {
        const out = await this.ses.send(
          new SendEmailV1Command({
            Source: 'sender@example.com',
            Destination: { ToAddresses: [to] },
            Message: { Subject: { Data: subject }, Body: { Text: { Data: `message ${n}` } } },
          }),
        );
        return { messageId: out.MessageId! };
      }
      if (!this.smtp) throw new Error('no SMTP listener to send to');
      const info = (await this.smtp.sendMail({ from: 'sender@example.com', to, subject, text: `message ${n}` })) as { response: string };
      const id = /^250 Ok (\S+)/.exec(info.response)?.[1];
      if (!id) return { failure: `smtp unexpected reply ${info.response}` };
      return { messageId: id };
    } catch (err) {
      const e = err as { name?: string; code?: string; responseCode?: number; response?: string; $metadata?: { httpStatusCode?: number } };
      if (channel === 'smtp') return { failure: e.responseCode ? `smtp ${e.responseCode} ${String(e.response).replace(/^\d{3}\s*/, '').slice(0, 60)}` : `smtp ${e.code ?? e.name}` };
      return { failure: `${channel} ${e.name} ${e.$metadata?.httpStatusCode ?? '-'}` };
    }
  }

  private async loop(channel: Channel, pauseMs: number): Promise<void> {
    while (this.running) {
      const result = await this.sendOne(channel);
      if ('messageId' in result) this.accepted.push(result.messageId);
      else this.failures[result.failure] = (this.failures[result.failure] ?? 0) + 1;
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  async stop(): Promise<LoadTotals> {
    this.running = false;
    await Promise.all(this.loops);
    this.sesv2.destroy();
    this.ses.destroy();
    this.smtp?.close();
    return this.totals;
  }
}

/** Which of `ids` are not stored in sesd's database (SQLite data dir, or a PostgreSQL URL). */
export async function missingMessages(db: { dataDir: string; databaseUrl: string }, ids: string[]): Promise<string[]> {
  const stored = new Set<string>();
  if (db.databaseUrl) {
    const client = new pg.Client({ connectionString: db.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM messages WHERE id = ANY($1)', [ids]);
      for (const r of rows) stored.add(r.id);
    } finally {
      await client.end();
    }
  } else {
    const { default: Database } = await import('better-sqlite3');
    const sqlite = new Database(`${db.dataDir}/sesd.db`, { readonly: true, fileMustExist: true });
    try {
      const select = sqlite.prepare('SELECT id FROM messages WHERE id = ?').pluck();
      for (const id of ids) if (select.get(id) !== undefined) stored.add(id);
    } finally {
      sqlite.close();
    }
  }
  return ids.filter((id) => !stored.has(id));
}
