import { describe, expect, it } from 'vitest';
import { routeService } from '../../../src/protocol/route-service.js';

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
});
