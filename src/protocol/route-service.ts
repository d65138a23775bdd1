// Tells which AWS API a request on sesd's one endpoint is for (see docs/architecture.md):
// SES v2 by `/v2/email/`, Pinpoint Email by `/v1/email/`, Pinpoint by other `/v1/` paths, and
// SES v1 by an `Action` parameter on `/`, unless the SigV4 credential scope names `sns`: SNS speaks
// the same Query protocol on `/`, so only the scope tells the two apart.
import { matchRestJsonOperation } from './rest-json.js';
import { loadModel, type ServiceName } from './service-model.js';

export interface ServiceRoute {
  service: ServiceName;
  protocol: 'rest-json' | 'query';
  /** The SigV4 signing name the credential scope must carry. */
  signingName: 'ses' | 'mobiletargeting' | 'sns';
}

const ROUTES: Record<ServiceName, ServiceRoute> = {
  sesv2: { service: 'sesv2', protocol: 'rest-json', signingName: 'ses' },
  'pinpoint-email': { service: 'pinpoint-email', protocol: 'rest-json', signingName: 'ses' },
  pinpoint: { service: 'pinpoint', protocol: 'rest-json', signingName: 'mobiletargeting' },
  ses: { service: 'ses', protocol: 'query', signingName: 'ses' },
  sns: { service: 'sns', protocol: 'query', signingName: 'sns' },
};

/** `signingService`: the service of the request's SigV4 credential scope, when it has one. */
export function routeService(path: string, method: string, signingService?: string): ServiceRoute {
  if (signingService === 'sns' && !path.startsWith('/v')) return ROUTES.sns;
  if (path.startsWith('/v2/email/') || path === '/v2/email') return ROUTES.sesv2;
  if (path.startsWith('/v1/email/')) {
    // SES v2 kept one operation on a /v1/email/ path (PutEmailIdentityDkimSigningAttributes).
    const pinpointEmail = matchRestJsonOperation(loadModel('pinpoint-email'), method, path);
    if (!pinpointEmail && matchRestJsonOperation(loadModel('sesv2'), method, path)) return ROUTES.sesv2;
    return ROUTES['pinpoint-email'];
  }
  if (path.startsWith('/v1/')) return ROUTES.pinpoint;
  // Everything else is the Query API; a request without Action gets its "missing action" error.
  return ROUTES.ses;
}

/** The service named in a SigV4 credential scope (`AKID/date/region/SERVICE/aws4_request`), from
 * the Authorization header or a presigned query's X-Amz-Credential; undefined when there is none. */
export function credentialScopeService(authorization: string | undefined, query: string): string | undefined {
  const fromHeader = authorization ? /Credential=[^/,\s]*\/[^/]*\/[^/]*\/([^/,\s]*)\//.exec(authorization) : null;
  if (fromHeader) return fromHeader[1];
  const fromQuery = /(?:^|&)X-Amz-Credential=[^&/]*(?:\/|%2F)[^&/%]*(?:\/|%2F)[^&/%]*(?:\/|%2F)([^&/%]*)(?:\/|%2F)/i.exec(query);
  return fromQuery?.[1];
}
