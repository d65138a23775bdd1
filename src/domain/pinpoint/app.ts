// A Pinpoint application ("project"): what an email channel, endpoints and sends belong to. Its id is
// 32 hex characters and its ARN names the `mobiletargeting` service, as Pinpoint's do.
import { randomUUID } from 'node:crypto';
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';

export interface PinpointApp extends Scope {
  id: string;
  name: string;
  tags: Record<string, string>;
  createdAt: number;
}

/** UpdateApplicationSettings input as given; sesd keeps it but no setting changes how email is sent. */
export interface AppSettings {
  settings: Record<string, unknown>;
  updatedAt: number;
}

export const newApplicationId = (): string => randomUUID().replaceAll('-', '');

export const appArn = (scope: Scope, id: string): string => `arn:aws:mobiletargeting:${scope.region}:${scope.accountId}:apps/${id}`;

/** Pinpoint answers every missing resource (application, channel, endpoint, template) alike. */
export const pinpointNotFound = (): AwsError => new AwsError('NotFoundException', 'Resource not found', 404);

export function validateAppName(name: string): void {
  if (name.trim() === '') throw invalidParameter('Name is required.');
}

/** ISO 8601 with milliseconds, the form of Pinpoint's date strings. */
export const pinpointDate = (ms: number): string => new Date(ms).toISOString();
