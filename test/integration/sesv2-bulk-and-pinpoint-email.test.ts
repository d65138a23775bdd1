// SendBulkEmail's per-entry results, Pinpoint Email answering through the SES v2 handlers, and the
// operator's account CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { GetAccountCommand, SendBulkEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { NodeSha256 } from '../support/node-sha256.js';
import { capturedMessages, sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('SendBulkEmail and Pinpoint Email (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  beforeAll(() => {
    ses = sesv2Client(sesd.app);
  });

  it('sends one message per entry with merged template data and reports each entry', async () => {
    const out = await ses.send(
      new SendBulkEmailCommand({
        FromEmailAddress: 'bulk@example.com',
        DefaultEmailTags: [{ Name: 'kind', Value: 'default' }],
        DefaultContent: { Template: { TemplateContent: { Subject: 'Hi {{name}}', Text: '{{greeting}}, {{name}}!' }, TemplateData: JSON.stringify({ greeting: 'Hello', name: 'friend' }) } },
        BulkEmailEntries: [
          { Destination: { ToAddresses: ['ana@example.net'] }, ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify({ name: 'Ana' }) } } },
          { Destination: { ToAddresses: ['not-an-address'] } },
          { Destination: { ToAddresses: ['bo@example.net'] }, ReplacementTags: [{ Name: 'kind', Value: 'vip' }] },
        ],
      }),
    );
    const [first, second, third] = out.BulkEmailEntryResults!;
    expect(first).toMatchObject({ Status: 'SUCCESS', MessageId: expect.any(String) });
    expect(second).toEqual({ Status: 'INVALID_PARAMETER', Error: "Missing final '@domain'" });
    expect(third).toMatchObject({ Status: 'SUCCESS' });

    const [ana] = await capturedMessages(sesd.app, `?id=${first!.MessageId}`);
    expect(ana).toMatchObject({ Subject: 'Hi Ana', Body: { text_part: 'Hello, Ana!' } });
    const [bo] = await sesd.app.store.messages.list({ id: third!.MessageId });
    expect(bo!.tags).toEqual([{ Name: 'kind', Value: 'vip' }]);
  });

  it('answers Pinpoint Email (/v1/email/) requests through the same handlers', async () => {
    const url = new URL(sesd.app.httpUrl);
    const body = JSON.stringify({
      FromEmailAddress: 'pe@example.com',
      Destination: { ToAddresses: ['to@example.net'] },
      Content: { Simple: { Subject: { Data: 'via pinpoint email' }, Body: { Text: { Data: 'pe body' } } } },
    });
    const signer = new SignatureV4({ service: 'ses', region: 'us-east-1', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/v1/email/outbound-emails',
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    const res = await fetch(`${sesd.app.httpUrl}/v1/email/outbound-emails`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    expect(res.status).toBe(200);
    const { MessageId } = (await res.json()) as { MessageId: string };
    const [m] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    expect(m).toMatchObject({ Subject: 'via pinpoint email', Region: 'us-east-1' });
  });

  // The CLI opens the same store as the server; its SQLite data dir is what the command is given here.
  it.runIf(dialect === 'sqlite')("lets the operator set an account's quotas and sandbox with `sesd account set`", async () => {
    const cli = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];
    // Not execFileSync: sesd answers on this very event loop, and a blocked loop lets its kept-alive sockets time out under the client.
    await promisify(execFile)(process.execPath, [...cli, 'account', 'set', '--account', '000000000000', '--in-region', 'us-west-2', '--data-dir', sesd.db.dataDir, '--max-24-hour-send', '1000', '--sandbox', 'on']);
    const account = await ses.send(new GetAccountCommand({}));
    expect(account).toMatchObject({ ProductionAccessEnabled: false, SendQuota: { Max24HourSend: 1000 } });
  });
});
