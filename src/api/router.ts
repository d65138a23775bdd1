// The AWS API door: authenticates a wire request (SigV4, or SES's legacy AWS3-HTTPS), decodes it
// from the service model, runs the operation's handler and encodes the answer or the error the way
// that service's protocol does.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AwsError, internalFailure, notSupported, serviceUnavailable } from '../domain/errors.js';
import { claimedAction, encodeQueryError, encodeQueryOutput, parseQueryParams } from '../protocol/query.js';
import { decodeRequest, queryText } from '../protocol/decode-request.js';
import { decodeLargeRequest, LARGE_BODY_BYTES } from '../protocol/large-request-decoder.js';
import {
  encodeRestJsonError,
  encodeRestJsonOutput,
  matchRestJsonOperation,
  type WireRequest,
  type WireResponse,
} from '../protocol/rest-json.js';
import { credentialScopeService, routeService, type ServiceRoute } from '../protocol/route-service.js';
import { loadModel, type ServiceName } from '../protocol/service-model.js';
import { hasSigV4, verifyAws3Https, verifySigV4, type SigningKeyInfo, type VerifiedCaller } from '../protocol/sigv4.js';
import type { HandlerTable, RequestContext } from './context.js';

export interface RouterDeps {
  handlers: Partial<Record<ServiceName, HandlerTable>>;
  lookupKey: (accessKeyId: string) => Promise<SigningKeyInfo | undefined>;
  defaultRegion: string;
  log: Logger;
  now?: () => Date;
  /** Where this node's access keys are, for the log line of a request signed with an unknown key. */
  keysHint?: string;
}

const UNKNOWN_KEY_CODES = new Set(['UnrecognizedClientException', 'InvalidClientTokenId']);

export type AwsRouter = (req: WireRequest, sourceIp: string) => Promise<WireResponse>;

export function createRouter(deps: RouterDeps): AwsRouter {
  return async (req, sourceIp) => {
    const requestId = randomUUID();
    const authorization = req.headers.authorization;
    const route = routeService(req.path, req.method, credentialScopeService(Array.isArray(authorization) ? authorization[0] : authorization, req.query));
    const started = performance.now();
    let operation = '-';
    let accessKeyId = claimedAccessKeyId(req);
    let failure: AwsError | undefined;
    let response: WireResponse;
    try {
      // Read only once the caller is known: SigV4 signs the body's bytes, not its parameters, and
      // parsing a large form body is the costly part of an unsigned request.
      const large = req.body.length >= LARGE_BODY_BYTES;
      const text = route.protocol === 'query' && !large ? queryText(req) : undefined;
      operation = (route.protocol === 'query' ? claimedAction(text ?? queryText({ ...req, body: req.body.subarray(0, 4096) })) : matchRestJsonOperation(loadModel(route.service), req.method, req.path)?.operation) ?? '-';
      const caller = await authenticate(req, route, deps);
      accessKeyId = caller.accessKeyId;
      // Parsed once: a Query API body may be a 10 MB raw message, decoded off the event loop.
      const decoded = large ? await decodeLargeRequest(req, route) : decodeRequest(req, route, text !== undefined ? parseQueryParams(text) : undefined);
      operation = decoded.operation;
      const handler = deps.handlers[route.service]?.[operation];
      if (!handler) throw notSupported(`the ${loadModel(route.service).metadata.serviceId} operation ${operation} yet`);
      let log: RequestContext['log'] | undefined;
      const ctx: RequestContext = {
        requestId,
        accountId: caller.accountId,
        accessKeyId: caller.accessKeyId,
        region: caller.region,
        sourceIp,
        // Made when a handler logs (few do): a pino child serialises its bindings as it is made.
        get log() {
          return (log ??= deps.log.child({ requestId }));
        },
      };
      const output = await handler(ctx, decoded.input);
      response = encodeOutput(route, operation, output, requestId);
    } catch (err) {
      const awsError = err instanceof AwsError ? err : internalFailure();
      if (!(err instanceof AwsError)) deps.log.error({ err, requestId, service: route.service, operation }, 'request failed');
      failure = awsError;
      response = encodeError(route, awsError, requestId);
    }
    const line = { requestId, service: route.service, operation, accessKeyId, status: response.status, ms: +(performance.now() - started).toFixed(2) };
    if (!failure) {
      deps.log.info(line, 'request');
    } else {
      const hint = UNKNOWN_KEY_CODES.has(failure.code) && deps.keysHint ? { hint: `access key ${accessKeyId ?? '(none)'} is not known here; this node's keys: ${deps.keysHint}` } : {};
      deps.log.info({ ...line, error: failure.code, errorMessage: failure.message, ...hint }, 'request');
    }
    return response;
  };
}

/**
 * The answer to a request sesd cannot take now (it is shutting down): ServiceUnavailable in the
 * shape of the protocol the request's path belongs to, so clients retry it elsewhere or later.
 */
export function serviceUnavailableResponse(method: string, path: string): WireResponse {
  return encodeError(routeService(path, method), serviceUnavailable(), randomUUID());
}

async function authenticate(req: WireRequest, route: ServiceRoute, deps: RouterDeps): Promise<VerifiedCaller> {
  // The default region: AWS3-HTTPS names none, and SigV4a may name several ('*').
  const opts = { protocol: route.protocol, lookupKey: deps.lookupKey, now: deps.now, defaultRegion: deps.defaultRegion };
  const legacy = route.service === 'ses' && !hasSigV4(req) && req.headers['x-amzn-authorization'] !== undefined;
  const caller = legacy ? await verifyAws3Https(req, opts) : await verifySigV4(req, opts);
  if (!legacy && caller.service !== route.signingName) {
    const code = route.protocol === 'query' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException';
    throw new AwsError(code, `Credential should be scoped to correct service: '${route.signingName}'. `, 403);
  }
  return caller;
}

/** The access key id a request says it is signed with, for the log (never the signature or secret). */
function claimedAccessKeyId(req: WireRequest): string | undefined {
  const header = [req.headers.authorization, req.headers['x-amzn-authorization']].find((h) => typeof h === 'string') as string | undefined;
  const fromHeader = header && /(?:Credential|AWSAccessKeyId)=([A-Za-z0-9_-]{1,128})/.exec(header)?.[1];
  if (fromHeader) return fromHeader;
  const credential = new URLSearchParams(req.query).get('X-Amz-Credential');
  return credential?.split('/')[0] || undefined;
}

function encodeOutput(route: ServiceRoute, operation: string, output: unknown, requestId: string): WireResponse {
  const model = loadModel(route.service);
  return route.protocol === 'query'
    ? encodeQueryOutput(model, operation, output, requestId)
    : encodeRestJsonOutput(model, operation, output, requestId);
}

function encodeError(route: ServiceRoute, err: AwsError, requestId: string): WireResponse {
  if (route.protocol === 'query') {
    // Domain errors carry SES v2 names and texts; SES v1 answers with its own code (and text, where
    // SES words it differently) and, where the v1 model has the error, its status (v1 says 400
    // where v2 says 404 or 429).
    // SNS raises its own codes (src/sns), so its errors pass through as they are.
    if (route.service === 'sns') return encodeQueryError(err, requestId, loadModel('sns').metadata.xmlNamespace);
    const code = err.queryCode ?? err.code;
    const status = loadModel('ses').errors.get(code)?.httpStatus ?? (err.queryCode && err.httpStatus < 500 ? 400 : err.httpStatus);
    return encodeQueryError(new AwsError(code, err.queryMessage ?? err.message, status, err.senderFault), requestId);
  }
  return encodeRestJsonError(loadModel(route.service), err, requestId);
}
