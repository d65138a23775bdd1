// The one path by which raw mail's X-SES-* headers become send parameters, for every door that takes
// raw mail (SES v2 Raw, SES v1 SendRawEmail, SMTP, Pinpoint RawEmail): the headers are read and
// removed, and a parameter the request gives itself wins over its header (tags are not merged: the
// request's tags, when it has any, replace the header's).
import { takeSesHeaders } from '../mime/ses-headers.js';
import type { SendRequest } from './send-request.js';

export function withSesHeaderOptions(req: SendRequest): SendRequest {
  if (req.content.kind !== 'raw') return req;
  const { raw, options } = takeSesHeaders(req.content.data);
  if (raw === req.content.data) return req; // no X-SES-* header
  // Only the options the headers give are set: spreading the request with five more keys, most of
  // them undefined, made this function take 17–25 µs a message instead of ~7 (measured alone).
  const taken: SendRequest = { ...req, content: { kind: 'raw', data: raw }, tags: req.tags?.length ? req.tags : options.tags };
  const { configurationSetName, sourceArn, fromArn, returnPathArn, listManagement } = options;
  if (configurationSetName !== undefined && taken.configurationSetName === undefined) taken.configurationSetName = configurationSetName;
  if (sourceArn !== undefined && taken.sourceArn === undefined) taken.sourceArn = sourceArn;
  if (fromArn !== undefined && taken.fromArn === undefined) taken.fromArn = fromArn;
  if (returnPathArn !== undefined && taken.returnPathArn === undefined) taken.returnPathArn = returnPathArn;
  if (listManagement !== undefined && taken.listManagement === undefined) taken.listManagement = listManagement;
  return taken;
}
