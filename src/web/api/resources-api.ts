// The console's other endpoints: its session (CSRF token), the accounts and regions in the store,
// identities with the DNS records to publish, the suppression list, configuration sets and their
// event destinations, the delivery queue (retry now, cancel) and sending statistics. Identities,
// suppression and configuration sets go through the same domain code and repositories as the SES
// APIs; nothing secret (access-key secrets, DKIM private keys) is ever answered.
import type { FastifyInstance } from 'fastify';
import { parseAddress } from '../../domain/addresses.js';
import type { ConfigurationSetsService } from '../../domain/configuration-sets/configuration-sets-service.js';
import { identityDnsRecords } from '../../domain/identities/dns-records.js';
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import type { Identity, Scope } from '../../domain/identities/identity.js';
import type { ConsoleQueries } from '../../store/console-queries.js';
import type { SuppressionRepository } from '../../store/suppression-repository.js';
import type { ConsoleAuth } from '../console-auth.js';
import { API_PREFIX, ApiError, guarded, jsonBody, limitOf, scopeOf } from './http.js';
import { seeRecord, type RecordLookup } from './identity-records.js';

export interface ResourcesApiDeps {
  auth: ConsoleAuth;
  queries: ConsoleQueries;
  identities: IdentitiesService;
  suppression: SuppressionRepository;
  configurationSets: ConfigurationSetsService;
  dns: RecordLookup;
  cnameDomain: string;
  /** Where a custom MAIL FROM domain's MX points: this sesd's host name. */
  mailHost: string;
  defaultScope: Scope;
  deliveryMode: string;
  now?: () => number;
}

type ScopeQuery = { Querystring: { account?: string; region?: string } };

const HOUR = 60 * 60 * 1000;

export function registerResourcesApi(app: FastifyInstance, deps: ResourcesApiDeps): void {
  const { auth, queries } = deps;
  const now = deps.now ?? Date.now;

  app.get(
    `${API_PREFIX}/session`,
    guarded(auth, async (request) => {
      const access = await auth.access(request);
      const session = access.ok ? access.session : 'open';
      return { csrfToken: await auth.csrfToken(session), loginRequired: auth.loginRequired, deliveryMode: deps.deliveryMode, defaultScope: deps.defaultScope };
    }),
  );

  app.get(
    `${API_PREFIX}/scopes`,
    guarded(auth, async () => {
      const scopes = await queries.scopes();
      const d = deps.defaultScope;
      if (!scopes.some((s) => s.accountId === d.accountId && s.region === d.region)) scopes.unshift(d);
      return { scopes };
    }),
  );

  app.get<ScopeQuery & { Querystring: { dns?: string } }>(
    `${API_PREFIX}/identities`,
    guarded(auth, async (request) => {
      const scope = scopeOf(request.query, deps.defaultScope);
      const list = await deps.identities.list(scope, { limit: 1000 });
      const checkDns = request.query.dns !== '0';
      return { scope, identities: await Promise.all(list.map((i) => identityView(i, checkDns))) };
    }),
  );

  app.get<ScopeQuery & { Params: { name: string } }>(
    `${API_PREFIX}/identities/:name`,
    guarded(auth, async (request) => {
      const identity = await deps.identities.get(scopeOf(request.query, deps.defaultScope), request.params.name);
      return identityView(identity, true);
    }),
  );

  /** Never the private key: the public part and what to publish (the same records as `sesd identity records`). */
  async function identityView(i: Identity, checkDns: boolean) {
    const records = identityDnsRecords(i, { cnameDomain: deps.cnameDomain, mailHost: deps.mailHost });
    return {
      identity: i.identity,
      type: i.type,
      verificationStatus: i.verificationStatus,
      dkim: { origin: i.dkim.origin, status: i.dkim.status, signingEnabled: i.dkim.signingEnabled, tokens: i.dkim.tokens, keyLength: i.dkim.keyLength },
      mailFrom: i.mailFrom,
      configurationSet: i.configurationSet,
      createdAt: i.createdAt,
      verifiedAt: i.verifiedAt,
      records: await Promise.all(records.map(async (r) => ({ ...r, ...(checkDns ? await seeRecord(r, deps.dns) : {}) }))),
    };
  }

  app.get<ScopeQuery & { Querystring: { offset?: string; limit?: string } }>(
    `${API_PREFIX}/suppression`,
    guarded(auth, async (request) => {
      const scope = scopeOf(request.query, deps.defaultScope);
      const limit = limitOf(request.query.limit, 100, 1000);
      const offset = Number(request.query.offset ?? 0);
      if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'offset must be a whole number');
      const page = await deps.suppression.list(scope, { offset, limit: limit + 1 });
      return { scope, entries: page.slice(0, limit), nextOffset: page.length > limit ? offset + limit : undefined };
    }),
  );

  app.post<ScopeQuery>(
    `${API_PREFIX}/suppression`,
    guarded(auth, async (request) => {
      const scope = scopeOf(request.query, deps.defaultScope);
      const body = jsonBody(request);
      const reason = body.reason ?? 'BOUNCE';
      if (reason !== 'BOUNCE' && reason !== 'COMPLAINT') throw new ApiError(400, 'reason must be BOUNCE or COMPLAINT');
      if (typeof body.emailAddress !== 'string') throw new ApiError(400, 'emailAddress is required');
      const { address } = parseAddress(body.emailAddress);
      await deps.suppression.put(scope, { emailAddress: address, reason, lastUpdate: now(), messageId: null, feedbackId: null });
      return { scope, emailAddress: address, reason };
    }),
  );

  app.delete<ScopeQuery & { Params: { address: string } }>(
    `${API_PREFIX}/suppression/:address`,
    guarded(auth, async (request, reply) => {
      const scope = scopeOf(request.query, deps.defaultScope);
      if (!(await deps.suppression.delete(scope, request.params.address))) throw new ApiError(404, `${request.params.address} is not on the suppression list.`);
      return reply.code(204).send();
    }),
  );

  app.get<ScopeQuery>(
    `${API_PREFIX}/configuration-sets`,
    guarded(auth, async (request) => {
      const scope = scopeOf(request.query, deps.defaultScope);
      const names = await deps.configurationSets.list(scope, { limit: 1000 });
      const sets = await Promise.all(
        names.map(async (name) => {
          const [set, destinations] = await Promise.all([deps.configurationSets.get(scope, name), deps.configurationSets.eventDestinations(scope, name)]);
          return { name, options: set.options, tags: set.tags, createdAt: set.createdAt, eventDestinations: destinations };
        }),
      );
      return { scope, configurationSets: sets };
    }),
  );

  app.get<ScopeQuery & { Querystring: { limit?: string } }>(
    `${API_PREFIX}/queue`,
    guarded(auth, async (request) => {
      const { account, region } = request.query;
      return { recipients: await queries.queue({ accountId: account || undefined, region: region || undefined }, limitOf(request.query.limit, 100, 1000)) };
    }),
  );

  app.post<{ Params: { id: string; action: string } }>(
    `${API_PREFIX}/queue/:id/:action`,
    guarded(auth, async (request) => {
      const id = Number(request.params.id);
      if (!Number.isSafeInteger(id)) throw new ApiError(404, `No queued recipient ${request.params.id}.`);
      const action = request.params.action;
      if (action !== 'retry' && action !== 'cancel') throw new ApiError(404, `Unknown queue action ${action}: retry or cancel.`);
      const done = action === 'retry' ? await queries.retryNow(id, now()) : await queries.cancel(id, now());
      if (!done) throw new ApiError(409, `Recipient ${id} is not waiting in the queue (delivered, bounced, cancelled, or being delivered right now).`);
      return { id, action };
    }),
  );

  app.get<{ Querystring: { account?: string; hours?: string; bucket?: string } }>(
    `${API_PREFIX}/statistics`,
    guarded(auth, async (request) => {
      const hours = limitOf(request.query.hours, 24, 24 * 14);
      const bucketMinutes = limitOf(request.query.bucket, hours <= 24 ? 15 : 60, 24 * 60);
      const bucketMs = bucketMinutes * 60 * 1000;
      const since = Math.floor((now() - hours * HOUR) / bucketMs) * bucketMs;
      return { since, bucketMs, buckets: await queries.statistics({ accountId: request.query.account || undefined }, since, bucketMs) };
    }),
  );
}
