// Request bodies from 1 MB on are hashed and decoded off the event loop (large-request-decoder.ts,
// sigv4.ts): what such a request gets must not differ from what a small one gets. Through the AWS
// SDK v3 clients: a 2 MB raw message by SES v2 (JSON) and SES v1 (form) is stored byte for byte; a
// bad signature is answered before anything is decoded; a member the model refuses is refused the
// same way; a blob that is not base64 is refused as in a small body.
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

/** A raw message of about `megabytes` MB: base64 lines of a (non-repeating) attachment. */
function largeMessage(megabytes: number, marker: string): Buffer {
  const bytes = Buffer.alloc(megabytes * 1024 * 1024 * 0.75);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const lines = bytes.toString('base64').match(/.{1,76}/g)!.join('\r\n');
  return Buffer.from(
    `From: a@example.com\r\nTo: b@example.net\r\nSubject: ${marker}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
      `--b\r\nContent-Type: text/plain\r\n\r\n${marker}\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${lines}\r\n--b--\r\n`,
  );
}

describe.each(DIALECTS)('large requests (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  const storedBody = async (messageId: string) => {
    const [message] = await sesd.app.store.messages.list({ id: messageId });
    const raw = message!.raw.toString('latin1');
    return raw.slice(raw.indexOf('\r\n\r\n') + 4);
  };
  const bodyOf = (raw: Buffer) => raw.toString('latin1').slice(raw.indexOf('\r\n\r\n') + 4);

  it('stores a 2 MB raw message sent by SES v2 and by SES v1 byte for byte', async () => {
    const v2 = largeMessage(2, 'sesv2-large');
    const { MessageId: id2 } = await sesv2Client(sesd.app).send(new SendEmailCommand({ Content: { Raw: { Data: v2 } } }));
    expect(await storedBody(id2!)).toBe(bodyOf(v2));
    const v1 = largeMessage(2, 'ses-large');
    const { MessageId: id1 } = await sesClient(sesd.app).send(new SendRawEmailCommand({ RawMessage: { Data: v1 } }));
    expect(await storedBody(id1!)).toBe(bodyOf(v1));
  });

  it('composes a 2 MB Simple message with an attachment (in the compose thread), stores it whole, and shows it in /_aws/ses', async () => {
    const line = 'A line of text that is long enough to be counted, number ';
    const text = Array.from({ length: 2 * 1024 * 1024 / 64 }, (_, i) => `${line}${i}`).join('\n');
    const attachment = Buffer.from(largeMessage(1, 'attached'));
    const { MessageId } = await sesv2Client(sesd.app).send(
      new SendEmailCommand({
        FromEmailAddress: 'a@example.com',
        Destination: { ToAddresses: ['b@example.net'] },
        Content: { Simple: { Subject: { Data: 'large simple' }, Body: { Text: { Data: text } }, Attachments: [{ FileName: 'big.eml', RawContent: attachment, ContentType: 'application/octet-stream', ContentDisposition: 'ATTACHMENT', ContentTransferEncoding: 'BASE64' }] } },
      }),
    );
    const raw = (await sesd.app.store.messages.list({ id: MessageId! }))[0]!.raw.toString('latin1');
    expect(raw).toMatch(/^Subject: large simple\r$/m);
    // Short ASCII lines without '=': the same in quoted-printable (line breaks as given, as Nodemailer
    // leaves them), but the last, which Nodemailer's wrapping breaks.
    expect(raw).toContain(text.slice(0, text.lastIndexOf('\n')));
    const part = raw.slice(raw.indexOf('filename=big.eml\r\n\r\n') + 20);
    expect(Buffer.from(part.slice(0, part.indexOf('\r\n--')), 'base64').equals(attachment)).toBe(true);

    // LocalStack's view parses it (in the parse thread, parse-mime.ts) as it parses a small one.
    const view = (await (await fetch(`${sesd.app.httpUrl}/_aws/ses?id=${MessageId}`)).json()) as { messages: { Body: { text_part: string }; Attachments: unknown[] }[] };
    expect(view.messages[0]!.Body.text_part).toBe(text);
    expect(view.messages[0]!.Attachments).toEqual([{ FileName: 'big.eml', ContentType: 'application/octet-stream', Size: attachment.length }]);
  });

  it('answers a large request with a wrong signature InvalidSignatureException, whatever its body', async () => {
    const wrong = sesv2Client(sesd.app, { ...TEST_KEY, secretAccessKey: 'not-the-secret-000000000000000000000000' });
    const failure = await awsFailure(wrong.send(new SendEmailCommand({ Content: { Raw: { Data: largeMessage(2, 'x') } } })));
    expect(failure).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
  });

  it('refuses a large request the model refuses as it refuses a small one', async () => {
    const send = (data: Buffer, tag: string) =>
      awsFailure(sesv2Client(sesd.app).send(new SendEmailCommand({ Content: { Raw: { Data: data } }, EmailTags: [{ Name: tag, Value: 'v' }] })));
    // A tag name of 300 characters is over the model's 256: the same answer for a 2 MB body as for a small one.
    const long = 'n'.repeat(300);
    const small = await send(Buffer.from('From: a@example.com\r\nTo: b@example.net\r\n\r\nhi\r\n'), long);
    expect(small.status).toBe(400);
    expect(await send(largeMessage(2, 'y'), long)).toEqual(small);
  });

  it('refuses a large blob that is not base64 as a small one', async () => {
    const app = sesd.app;
    const post = async (data: string) => {
      // Signed by the SDK's middleware on a request whose body is replaced before signing.
      const client = sesv2Client(app);
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body: string; headers: Record<string, string> };
          request.body = JSON.stringify({ Content: { Raw: { Data: data } } });
          request.headers['content-length'] = String(Buffer.byteLength(request.body));
          return next(args);
        },
        { step: 'build', name: 'replaceBody' },
      );
      return awsFailure(client.send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from('x') } } })));
    };
    const small = await post('not base64!');
    expect(small.status).toBe(400);
    expect(await post(`not base64!${'A'.repeat(2 * 1024 * 1024)}`)).toMatchObject({ name: small.name, status: 400 });
  });
});
