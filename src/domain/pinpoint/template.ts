// Pinpoint message templates (email only in sesd): a name, numbered versions of content and the
// active version that sends use unless they name another. Content is Handlebars; DefaultSubstitutions
// is a JSON object of default values for the template's message variables.
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { checkTemplateSyntax } from '../templates/render.js';

export type TemplateType = 'EMAIL';

export interface MessageHeader {
  name: string;
  value: string;
}

export interface EmailTemplateContent {
  subject?: string;
  html?: string;
  text?: string;
  headers: MessageHeader[];
  /** JSON object text, as given. */
  defaultSubstitutions?: string;
  description?: string;
  recommenderId?: string;
}

export interface PinpointTemplate extends Scope {
  name: string;
  type: TemplateType;
  activeVersion: number;
  latestVersion: number;
  tags: Record<string, string>;
  createdAt: number;
}

export interface TemplateVersion {
  version: number;
  content: EmailTemplateContent;
  createdAt: number;
  updatedAt: number;
}

/** Pinpoint: at most 15 headers per email template or message. */
export const MAX_HEADERS = 15;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const pinpointTemplateArn = (scope: Scope, name: string, type: TemplateType): string =>
  `arn:aws:mobiletargeting:${scope.region}:${scope.accountId}:templates/${name}/${type}`;

export const templateAlreadyExists = (): AwsError => invalidParameter('Template already exists');

export function validateTemplateName(name: string): void {
  if (!NAME.test(name)) {
    throw invalidParameter('Template name must start with an alphanumeric character and contain at most 128 letters, digits, underscores (_) or hyphens (-).');
  }
}

/** Email templates and messages alike: at most 15 headers, each with a name. */
export function validateHeaders(headers: readonly MessageHeader[]): void {
  if (headers.length > MAX_HEADERS) throw invalidParameter(`An email can have at most ${MAX_HEADERS} headers.`);
  if (headers.some((h) => h.name.trim() === '')) throw invalidParameter('Every header must have a Name.');
}

export async function validateTemplateContent(content: EmailTemplateContent): Promise<void> {
  validateHeaders(content.headers);
  if (content.defaultSubstitutions !== undefined) parseDefaultSubstitutions(content.defaultSubstitutions);
  await checkTemplateSyntax({ subject: content.subject, text: content.text, html: content.html });
}

/** DefaultSubstitutions: a JSON object whose values are the variables' defaults (strings, numbers, booleans). */
export function parseDefaultSubstitutions(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidDefaults();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidDefaults();
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null) continue;
    if (typeof value === 'object') throw invalidDefaults();
    out[key] = String(value);
  }
  return out;
}

const invalidDefaults = (): AwsError => invalidParameter('DefaultSubstitutions must be a JSON object of variable names and default values.');

/** A version id as the API gives it ("1", "2", ...); anything else names no version. */
export function parseVersion(version: string): number | undefined {
  return /^[1-9][0-9]{0,8}$/.test(version) ? Number(version) : undefined;
}
