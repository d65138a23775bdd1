// The X-SES-* headers through which a raw message (any raw door: intake/ses-header-options.ts) asks for what API
// callers give as parameters (configuration set, tags, sending authorization, list management). SES
// reads them and removes them before the message goes out; so does this module.
import { invalidParameter } from '../domain/errors.js';
import type { Tag } from '../intake/send-request.js';
import { joinMessage, splitMessage, type Header } from './headers.js';

export interface SesHeaderOptions {
  configurationSetName?: string;
  tags: Tag[];
  /** Sending authorization: the identities (by ARN) that authorise the envelope sender, From and Return-Path. */
  sourceArn?: string;
  fromArn?: string;
  returnPathArn?: string;
  listManagement?: { contactListName: string; topicName?: string };
}

const SES_HEADERS = new Set([
  'x-ses-configuration-set',
  'x-ses-message-tags',
  'x-ses-source-arn',
  'x-ses-from-arn',
  'x-ses-return-path-arn',
  'x-ses-list-management-options',
]);

/** Reads the X-SES-* headers of a raw message; returns the options and the message without them. */
export function takeSesHeaders(raw: Buffer): { raw: Buffer; options: SesHeaderOptions } {
  const { headers, body } = splitMessage(raw);
  const ses = headers.filter((h) => SES_HEADERS.has(h.name.toLowerCase()));
  if (ses.length === 0) return { raw, options: { tags: [] } };
  const first = (name: string) => ses.find((h) => h.name.toLowerCase() === name)?.value || undefined;
  const listManagement = first('x-ses-list-management-options');
  const options: SesHeaderOptions = {
    configurationSetName: first('x-ses-configuration-set'),
    tags: ses.filter((h) => h.name.toLowerCase() === 'x-ses-message-tags').flatMap((h) => parseMessageTags(h.value)),
    sourceArn: first('x-ses-source-arn'),
    fromArn: first('x-ses-from-arn'),
    returnPathArn: first('x-ses-return-path-arn'),
    listManagement: listManagement === undefined ? undefined : parseListManagement(listManagement),
  };
  const kept: Header[] = headers.filter((h) => !SES_HEADERS.has(h.name.toLowerCase()));
  return { raw: joinMessage(kept, body), options: withoutUndefined(options) };
}

/** `name1=value1, name2=value2`. */
export function parseMessageTags(value: string): Tag[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      const name = eq < 0 ? '' : entry.slice(0, eq).trim();
      if (!name) throw invalidParameter(`Invalid X-SES-MESSAGE-TAGS header: '${entry}' is not name=value.`);
      return { Name: name, Value: entry.slice(eq + 1).trim() };
    });
}

/** `contactListName; topic=topicName` (the topic is optional). */
export function parseListManagement(value: string): { contactListName: string; topicName?: string } {
  const [list, ...params] = value.split(';').map((p) => p.trim());
  if (!list) throw invalidParameter(`Invalid X-SES-LIST-MANAGEMENT-OPTIONS header: '${value}' names no contact list.`);
  const topic = params.map((p) => /^topic\s*=\s*(.+)$/i.exec(p)?.[1]?.trim()).find(Boolean);
  return topic ? { contactListName: list, topicName: topic } : { contactListName: list };
}

function withoutUndefined<T extends object>(obj: T): T {
  const defined: Partial<T> = {};
  for (const key in obj) if (obj[key] !== undefined) defined[key] = obj[key];
  return defined as T;
}
