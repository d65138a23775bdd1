// Pinpoint endpoints of an application, with the lookups sends need: by id and by user.
import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../domain/identities/identity.js';
import type { Endpoint, EndpointProfile } from '../domain/pinpoint/endpoint.js';
import type { Database, PinpointEndpointsTable } from './schema.js';

export class PinpointEndpointsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(scope: Scope, applicationId: string, id: string): Promise<Endpoint | undefined> {
    const row = await this.ofApp(scope, applicationId).selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  }

  async getMany(scope: Scope, applicationId: string, ids: string[]): Promise<Endpoint[]> {
    if (ids.length === 0) return [];
    const rows = await this.ofApp(scope, applicationId).selectAll().where('id', 'in', ids).execute();
    return rows.map(toEndpoint);
  }

  async ofUser(scope: Scope, applicationId: string, userId: string): Promise<Endpoint[]> {
    const rows = await this.ofApp(scope, applicationId).selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toEndpoint);
  }

  /** Creates or replaces the endpoint; other endpoints of the application with its channel and address become INACTIVE. */
  async put(e: Endpoint): Promise<void> {
    const columns = {
      channel_type: e.channelType,
      address: e.address,
      endpoint_status: e.endpointStatus,
      opt_out: e.optOut,
      user_id: e.userId ?? null,
      profile: JSON.stringify(e.profile),
      updated_at: e.updatedAt,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pinpoint_endpoints')
        .values({ account_id: e.accountId, region: e.region, application_id: e.applicationId, id: e.id, ...columns, cohort_id: e.cohortId, created_at: e.createdAt })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'application_id', 'id']).doUpdateSet(columns))
        .execute();
      await trx
        .updateTable('pinpoint_endpoints')
        .set({ endpoint_status: 'INACTIVE', updated_at: e.updatedAt })
        .where('account_id', '=', e.accountId)
        .where('region', '=', e.region)
        .where('application_id', '=', e.applicationId)
        .where('address', '=', e.address)
        .where('channel_type', '=', e.channelType)
        .where('id', '!=', e.id)
        .where('endpoint_status', '=', 'ACTIVE')
        .execute();
    });
  }

  async delete(scope: Scope, applicationId: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('pinpoint_endpoints')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('application_id', '=', applicationId)
      .where('id', '=', id)
      .execute();
  }

  async deleteOfUser(scope: Scope, applicationId: string, userId: string): Promise<void> {
    await this.db
      .deleteFrom('pinpoint_endpoints')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('application_id', '=', applicationId)
      .where('user_id', '=', userId)
      .execute();
  }

  private ofApp(scope: Scope, applicationId: string) {
    return this.db
      .selectFrom('pinpoint_endpoints')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('application_id', '=', applicationId);
  }
}

function toEndpoint(r: Selectable<PinpointEndpointsTable>): Endpoint {
  const endpoint: Endpoint = {
    accountId: r.account_id,
    region: r.region,
    applicationId: r.application_id,
    id: r.id,
    channelType: r.channel_type,
    address: r.address,
    endpointStatus: r.endpoint_status,
    optOut: r.opt_out,
    profile: JSON.parse(r.profile) as EndpointProfile,
    cohortId: r.cohort_id,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.user_id !== null) endpoint.userId = r.user_id;
  return endpoint;
}
