// A wire request's operation and input, read from its service model: what the router hands to
// the operation's handler. Pure, so that a large body can be decoded in a thread of its own
// (large-request-decoder.ts) exactly as the event loop decodes a small one.
import { AwsError } from '../domain/errors.js';
import { decodeQueryInput, parseQueryParams } from './query.js';
import { decodeRestJsonInput, matchRestJsonOperation, type WireRequest } from './rest-json.js';
import type { ServiceRoute } from './route-service.js';
import { loadModel } from './service-model.js';

export interface DecodedRequest {
  operation: string;
  input: Record<string, unknown>;
}

export function decodeRequest(req: WireRequest, route: ServiceRoute, queryParams?: Map<string, string>): DecodedRequest {
  const model = loadModel(route.service);
  if (route.protocol === 'query') {
    const params = queryParams ?? parseQueryParams(queryText(req));
    const action = params.get('Action');
    if (!action) throw new AwsError('MissingAction', 'Missing Action', 400);
    return { operation: action, input: decodeQueryInput(model, action, params) };
  }
  const match = matchRestJsonOperation(model, req.method, req.path);
  if (!match) {
    throw new AwsError(
      'UnknownOperationException',
      `sesd knows no ${model.metadata.serviceId} operation at ${req.method} ${req.path} (not an operation of its service model, so not supported).`,
      404,
    );
  }
  return { operation: match.operation, input: decodeRestJsonInput(model, match.operation, req, match.labels) };
}

/** Query API parameters come from the URL (GET) or the form body (POST), never both mixed. */
export function queryText(req: WireRequest): string {
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    return req.query ? `${req.query}&${req.body.toString('utf8')}` : req.body.toString('utf8');
  }
  return req.query;
}
