// `GET /_sesd/identities/:name/dns-records?account=ID&region=REGION`: the DNS records an identity's
// owner publishes (domain/identities/dns-records.ts), for operators and the console. Same access
// rule as the other inspection endpoints.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ACCOUNT_ID, isAccountId } from '../domain/access-keys.js';
import { identityDnsRecords, type DnsRecordsOptions } from '../domain/identities/dns-records.js';
import type { IdentitiesService } from '../domain/identities/identities-service.js';
import { AwsError } from '../domain/errors.js';
import type { inspectionGuard } from './inspection-routes.js';

export interface IdentityDnsRoutesDeps extends DnsRecordsOptions {
  identities: IdentitiesService;
  defaultRegion: string;
  /** The inspection endpoints' access rule (inspection-routes.ts). */
  guard: ReturnType<typeof inspectionGuard>;
}

export function registerIdentityDnsRoutes(app: FastifyInstance, deps: IdentityDnsRoutesDeps): void {
  app.get<{ Params: { name: string }; Querystring: { account?: string; region?: string } }>(
    '/_sesd/identities/:name/dns-records',
    { onRequest: deps.guard },
    async (request, reply) => {
      const accountId = request.query.account ?? DEFAULT_ACCOUNT_ID;
      const region = request.query.region ?? deps.defaultRegion;
      if (!isAccountId(accountId)) return reply.code(400).send({ message: `account must be 12 digits: ${accountId}` });
      if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return reply.code(400).send({ message: `not a region: ${region}` });
      try {
        const identity = await deps.identities.get({ accountId, region }, request.params.name);
        return { identity: identity.identity, type: identity.type, accountId, region, records: identityDnsRecords(identity, deps) };
      } catch (err) {
        if (err instanceof AwsError && err.httpStatus === 404) return reply.code(404).send({ message: err.message });
        throw err;
      }
    },
  );
}
