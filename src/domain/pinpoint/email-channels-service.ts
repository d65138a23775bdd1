// GetEmailChannel, UpdateEmailChannel and DeleteEmailChannel of an existing application.
import type { PinpointAppsRepository } from '../../store/pinpoint-apps-repository.js';
import type { Scope } from '../identities/identity.js';
import { pinpointNotFound } from './app.js';
import { validateChannelSettings, type EmailChannel, type EmailChannelSettings } from './email-channel.js';

export class EmailChannelsService {
  private readonly now: () => number;

  constructor(private readonly deps: { apps: PinpointAppsRepository; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  /** The channel, or undefined when the application has none; the application must exist. */
  async find(scope: Scope, applicationId: string): Promise<EmailChannel | undefined> {
    await this.requireApp(scope, applicationId);
    return this.deps.apps.emailChannel(scope, applicationId);
  }

  async get(scope: Scope, applicationId: string): Promise<EmailChannel> {
    const channel = await this.find(scope, applicationId);
    if (!channel) throw pinpointNotFound();
    return channel;
  }

  /** Replaces the channel's settings (Pinpoint takes the whole channel on every update). */
  async update(scope: Scope, applicationId: string, settings: EmailChannelSettings): Promise<EmailChannel> {
    const existing = await this.find(scope, applicationId);
    validateChannelSettings(scope, settings);
    const now = this.now();
    const channel: EmailChannel = {
      ...scope,
      applicationId,
      ...settings,
      version: (existing?.version ?? 0) + 1,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.deps.apps.putEmailChannel(channel);
    return channel;
  }

  async delete(scope: Scope, applicationId: string): Promise<EmailChannel> {
    const channel = await this.get(scope, applicationId);
    await this.deps.apps.deleteEmailChannel(scope, applicationId);
    return channel;
  }

  private async requireApp(scope: Scope, applicationId: string): Promise<void> {
    if (!(await this.deps.apps.get(scope, applicationId))) throw pinpointNotFound();
  }
}
