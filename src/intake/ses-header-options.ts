// The one path by which raw mail's X-SES-* headers become send parameters, for every door that takes
// raw mail (SES v2 Raw, SES v1 SendRawEmail, SMTP, Pinpoint RawEmail): the headers are read and
// removed, and a parameter the request gives itself wins over its header (tags are not merged: the
// request's tags, when it has any, replace the header's).
import { takeSesHeaders } from '../mime/ses-headers.js';
import type { SendRequest } from './send-request.js';

export function withSesHeaderOptions(req: SendRequest): SendRequest {
  if (req.content.kind !== 'raw') return req;
  const { raw, options } = takeSesHeaders(req.content.data);
  return {
    ...req,
    content: { kind: 'raw', data: raw },
    tags: req.tags?.length ? req.tags : options.tags,
    configurationSetName: req.configurationSetName ?? options.configurationSetName,
    sourceArn: req.sourceArn ?? options.sourceArn,
    fromArn: req.fromArn ?? options.fromArn,
    returnPathArn: req.returnPathArn ?? options.returnPathArn,
    listManagement: req.listManagement ?? options.listManagement,
  };
}
