import { describe, expect, it } from 'vitest';
import { credentialScopeService, routeService } from '../../../src/protocol/route-service.js';

describe('routeService', () => {
  it.each([
    ['POST', '/v2/email/outbound-emails', 'sesv2'],
    ['GET', '/v1/email/identities/example.com', 'pinpoint-email'],
    ['PUT', '/v1/email/identities/example.com/dkim/signing', 'sesv2'],
    ['POST', '/v1/apps/abc/messages', 'pinpoint'],
    ['GET', '/v1/templates', 'pinpoint'],
    ['POST', '/', 'ses'],
    ['GET', '/', 'ses'],
  ])('sends %s %s to %s', (method, path, service) => {
    expect(routeService(path, method).service).toBe(service);
  });

  it('expects the mobiletargeting signing name for Pinpoint and ses for the others', () => {
    expect(routeService('/v1/apps', 'GET').signingName).toBe('mobiletargeting');
    expect(routeService('/v2/email/account', 'GET').signingName).toBe('ses');
  });

  it('sends a Query request whose credential scope names sns to SNS, and any other to SES v1', () => {
    expect(routeService('/', 'POST', 'sns')).toMatchObject({ service: 'sns', protocol: 'query', signingName: 'sns' });
    expect(routeService('/', 'POST', 'ses').service).toBe('ses');
    expect(routeService('/v2/email/account', 'GET', 'sns').service).toBe('sesv2');
  });

  it('reads the service of a credential scope from the Authorization header or a presigned query', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=abc';
    expect(credentialScopeService(auth, '')).toBe('sns');
    expect(credentialScopeService(undefined, 'X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fses%2Faws4_request&X-Amz-Date=1')).toBe('ses');
    expect(credentialScopeService(undefined, 'Action=Publish')).toBeUndefined();
  });
});
