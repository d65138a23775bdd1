// The message SES sends to an address that was added as an identity: a link its owner follows to
// prove they own it.
import type { SendRequest } from '../../intake/send-request.js';
import { MAX_MESSAGE_BYTES_V2 } from '../sending-limits.js';
import type { Identity } from './identity.js';

export function verificationEmail(identity: Identity, opts: { link: string; hostname: string }): SendRequest {
  const text = [
    'Dear sesd customer,',
    '',
    `We have received a request to authorize this email address for use with sesd (SES API) in region ${identity.region}.`,
    'If you requested this verification, go to the following URL to confirm that you are authorized to use this email address:',
    '',
    opts.link,
    '',
    'Your request will not be processed unless you confirm the address using this URL. This link expires 24 hours after your original verification request.',
    '',
    "If you did NOT request to verify this email address, do not click on the link.",
  ].join('\n');
  return {
    accountId: identity.accountId,
    region: identity.region,
    sourceApi: 'system',
    callerIdentity: 'sesd',
    sourceIp: '127.0.0.1',
    from: `sesd <no-reply@${opts.hostname}>`,
    destination: { ToAddresses: [identity.identity] },
    content: {
      kind: 'simple',
      subject: `Email Address Verification Request in region ${identity.region}`,
      text,
      html: `<p>${text.split('\n\n').map((p) => p.replace(opts.link, `<a href="${opts.link}">${opts.link}</a>`)).join('</p><p>')}</p>`,
      headers: [],
      attachments: [],
    },
    maxMessageBytes: MAX_MESSAGE_BYTES_V2,
    system: true,
  };
}
