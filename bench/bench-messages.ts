// The messages the benches send: a ~1.2 kB transactional notification, as a raw message (SMTP) and
// as a SES v2 SendEmail input (Simple content), each with its own recipient and subject and one
// message tag, so that parsing, header handling, MIME composition and storage do real work.
import { randomBytes } from 'node:crypto';

const BENCH_SENDER = 'bench@example.com';

// The texts are those the benches have always sent, so that figures stay comparable with earlier runs.
const RAW_PARAGRAPH =
  'This is a benchmark message from sesd/bench/smtp.ts. It carries a short plain-text body of roughly ' +
  'the size of a transactional notification, so that parsing, header handling and storage do some ' +
  'real work per message.\r\n';
const SEND_EMAIL_PARAGRAPH =
  'This is a benchmark message from sesd/bench/send-email.ts. It carries a short plain-text body of ' +
  'roughly the size of a transactional notification, so that parsing, MIME composition and storage ' +
  'do some real work per message.\n';

/** Message `i` as raw RFC 5322 text with CRLF line ends, and its envelope. */
export function benchRawMessage(i: number): { raw: Buffer; from: string; to: string } {
  const to = `recipient-${i}@example.net`;
  const raw = [
    `From: Bench Sender <${BENCH_SENDER}>`,
    `To: ${to}`,
    `Subject: Benchmark message ${i} (${randomBytes(4).toString('hex')})`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `X-SES-MESSAGE-TAGS: bench=pool-${i % 10}`,
    '',
    `Hello recipient ${i},`,
    '',
    RAW_PARAGRAPH.repeat(4) + '-- \r\nsesd bench',
    '',
  ].join('\r\n');
  return { raw: Buffer.from(raw), from: BENCH_SENDER, to };
}

/** Message `i` as SES v2 SendEmail's input (the JSON body, decoded). */
export function benchSendEmailInput(i: number) {
  return {
    FromEmailAddress: `Bench Sender <${BENCH_SENDER}>`,
    Destination: { ToAddresses: [`recipient-${i}@example.net`] },
    Content: {
      Simple: {
        Subject: { Data: `Benchmark message ${i} (${randomBytes(4).toString('hex')})` },
        Body: { Text: { Data: `Hello recipient ${i},\n\n${SEND_EMAIL_PARAGRAPH.repeat(4)}\n-- \nsesd bench\n` } },
      },
    },
    EmailTags: [{ Name: 'bench', Value: `pool-${i % 10}` }],
  };
}
