// UpdateEndpoint, UpdateEndpointsBatch, GetEndpoint, DeleteEndpoint, GetUserEndpoints and
// DeleteUserEndpoints. As in Pinpoint, updating an endpoint makes the application's other endpoints
// with the same channel and address INACTIVE, so one address gets one copy of a message.
import type { PinpointAppsRepository } from '../../store/pinpoint-apps-repository.js';
import type { PinpointEndpointsRepository } from '../../store/pinpoint-endpoints-repository.js';
import { invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { pinpointNotFound } from './app.js';
import { applyEndpointUpdate, type Endpoint, type EndpointUpdate } from './endpoint.js';

/** Pinpoint's limit on items in one UpdateEndpointsBatch call. */
export const MAX_BATCH_ENDPOINTS = 100;

export class EndpointsService {
  private readonly now: () => number;

  constructor(private readonly deps: { apps: PinpointAppsRepository; endpoints: PinpointEndpointsRepository; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  async update(scope: Scope, applicationId: string, id: string, update: EndpointUpdate): Promise<Endpoint> {
    await this.requireApp(scope, applicationId);
    return this.put(scope, applicationId, id, update);
  }

  async updateBatch(scope: Scope, applicationId: string, items: (EndpointUpdate & { id?: string })[]): Promise<void> {
    if (items.length > MAX_BATCH_ENDPOINTS) throw invalidParameter(`An endpoint batch can have at most ${MAX_BATCH_ENDPOINTS} items.`);
    const missingId = items.findIndex((item) => !item.id);
    if (missingId >= 0) throw invalidParameter(`Item ${missingId + 1} has no Id.`);
    await this.requireApp(scope, applicationId);
    for (const { id, ...update } of items) await this.put(scope, applicationId, id!, update);
  }

  async get(scope: Scope, applicationId: string, id: string): Promise<Endpoint> {
    await this.requireApp(scope, applicationId);
    const endpoint = await this.deps.endpoints.get(scope, applicationId, id);
    if (!endpoint) throw pinpointNotFound();
    return endpoint;
  }

  /** The endpoints that exist among `ids`; the application must exist. */
  async getMany(scope: Scope, applicationId: string, ids: string[]): Promise<Map<string, Endpoint>> {
    await this.requireApp(scope, applicationId);
    const found = await this.deps.endpoints.getMany(scope, applicationId, ids);
    return new Map(found.map((e) => [e.id, e]));
  }

  async delete(scope: Scope, applicationId: string, id: string): Promise<Endpoint> {
    const endpoint = await this.get(scope, applicationId, id);
    await this.deps.endpoints.delete(scope, applicationId, id);
    return endpoint;
  }

  async ofUser(scope: Scope, applicationId: string, userId: string): Promise<Endpoint[]> {
    await this.requireApp(scope, applicationId);
    return this.deps.endpoints.ofUser(scope, applicationId, userId);
  }

  async deleteUser(scope: Scope, applicationId: string, userId: string): Promise<Endpoint[]> {
    const endpoints = await this.ofUser(scope, applicationId, userId);
    if (endpoints.length === 0) throw pinpointNotFound();
    await this.deps.endpoints.deleteOfUser(scope, applicationId, userId);
    return endpoints;
  }

  private async put(scope: Scope, applicationId: string, id: string, update: EndpointUpdate): Promise<Endpoint> {
    const existing = await this.deps.endpoints.get(scope, applicationId, id);
    const endpoint = applyEndpointUpdate(existing, { ...scope, applicationId, id }, update, this.now());
    await this.deps.endpoints.put(endpoint);
    return endpoint;
  }

  private async requireApp(scope: Scope, applicationId: string): Promise<void> {
    if (!(await this.deps.apps.get(scope, applicationId))) throw pinpointNotFound();
  }
}
