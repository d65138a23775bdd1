// CreateApp, GetApp, GetApps, DeleteApp and the application settings. Deleting an application takes
// its email channel and endpoints with it.
import type { PinpointAppsRepository } from '../../store/pinpoint-apps-repository.js';
import type { Scope } from '../identities/identity.js';
import { newApplicationId, pinpointNotFound, validateAppName, type AppSettings, type PinpointApp } from './app.js';

export interface AppCursor {
  createdAt: number;
  id: string;
}

export class PinpointAppsService {
  private readonly now: () => number;

  constructor(private readonly deps: { apps: PinpointAppsRepository; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  async create(scope: Scope, name: string, tags: Record<string, string> = {}): Promise<PinpointApp> {
    validateAppName(name);
    const app: PinpointApp = { ...scope, id: newApplicationId(), name, tags, createdAt: this.now() };
    await this.deps.apps.create(app);
    return app;
  }

  async get(scope: Scope, id: string): Promise<PinpointApp> {
    const app = await this.deps.apps.get(scope, id);
    if (!app) throw pinpointNotFound();
    return app;
  }

  list(scope: Scope, page: { after?: AppCursor; limit: number }): Promise<PinpointApp[]> {
    return this.deps.apps.list(scope, page);
  }

  async delete(scope: Scope, id: string): Promise<PinpointApp> {
    const app = await this.get(scope, id);
    if (!(await this.deps.apps.delete(scope, id))) throw pinpointNotFound();
    return app;
  }

  async settings(scope: Scope, id: string): Promise<AppSettings> {
    const settings = await this.deps.apps.settings(scope, id);
    if (!settings) throw pinpointNotFound();
    return settings;
  }

  async updateSettings(scope: Scope, id: string, settings: Record<string, unknown>): Promise<AppSettings> {
    const updated: AppSettings = { settings, updatedAt: this.now() };
    if (!(await this.deps.apps.putSettings(scope, id, updated))) throw pinpointNotFound();
    return updated;
  }
}
