// /_aws/ses as LocalStack answers it (localstack-core/localstack/services/ses/provider.py,
// localstack/localstack@8b9a79f0): the Timestamp's format, SendEmail's text as sent, and DELETE's
// `id`. Through the real SDK client and a real socket, on every database.
import { SendEmailCommand, type Body, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { capturedMessages, sesClient, useSesd } from '../support/sesd.js';

const email = (body: Body): SendEmailCommandInput => ({
  Source: 'sender@example.com',
  Destination: { ToAddresses: ['to@example.net'] },
  Message: { Subject: { Data: 'Hello' }, Body: body },
});

describe.each(DIALECTS)('/_aws/ses as LocalStack answers it (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  async function send(input: SendEmailCommandInput): Promise<string> {
    return (await sesClient(sesd.app).send(new SendEmailCommand(input))).MessageId!;
  }

  async function viewOf(id: string) {
    const [message] = await capturedMessages(sesd.app, `?id=${id}`);
    return message!;
  }

  it('gives the Timestamp as LocalStack does: UTC to the second, no fraction, no zone', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const id = await send(email({ Text: { Data: 'Hi' } }));
    const { Timestamp } = await viewOf(id);
    expect(Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const at = Date.parse(`${Timestamp}Z`);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('shows a text-only body ending in a line break as sent (LocalStack keeps Body.Text.Data)', async () => {
    const id = await send(email({ Text: { Data: 'line one\nline two\n' } }));
    expect((await viewOf(id)).Body).toEqual({ text_part: 'line one\nline two\n', html_part: null });
  });

  it('shows an HTML-only body ending in a line break as sent', async () => {
    const id = await send(email({ Html: { Data: '<p>hi</p>\n' } }));
    expect((await viewOf(id)).Body).toEqual({ text_part: null, html_part: '<p>hi</p>\n' });
  });

  it('shows a base64-encoded (non-ASCII) body ending in a line break as sent', async () => {
    const id = await send(email({ Text: { Data: 'Grüße, héllo\n' } }));
    expect((await viewOf(id)).Body.text_part).toBe('Grüße, héllo\n');
  });

  it('still leaves out the line break sesd adds after a body that has none, single part or multipart', async () => {
    const single = await send(email({ Text: { Data: 'no break' } }));
    expect((await viewOf(single)).Body).toEqual({ text_part: 'no break', html_part: null });
    const both = await send(email({ Text: { Data: 'text\n' }, Html: { Data: '<p>html</p>' } }));
    expect((await viewOf(both)).Body).toEqual({ text_part: 'text\n', html_part: '<p>html</p>' });
  });

  it('DELETE /_aws/ses?id= (empty) deletes nothing: only a request without id deletes all', async () => {
    const kept = await send(email({ Text: { Data: 'keep me' } }));
    const res = await fetch(`${sesd.app.httpUrl}/_aws/ses?id=`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await capturedMessages(sesd.app)).map((m) => m.Id)).toContain(kept);
    expect((await fetch(`${sesd.app.httpUrl}/_aws/ses`, { method: 'DELETE' })).status).toBe(204);
    expect(await capturedMessages(sesd.app)).toEqual([]);
  });
});
