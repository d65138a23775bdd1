// Calls to sesd's console API (/_sesd/api, docs/console-api.md). Every change carries the session's
// CSRF token; a 401 means the session ended, so the page goes to the login form.
export interface Session {
  csrfToken: string;
  loginRequired: boolean;
  deliveryMode: string;
  defaultScope: { accountId: string; region: string };
}

export interface MessageSummary {
  id: string;
  accountId: string;
  region: string;
  sourceApi: string;
  envelopeFrom: string;
  fromHeader: string | null;
  subject: string | null;
  destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  configurationSet: string | null;
  tags: { Name: string; Value: string }[];
  size: number;
  createdAt: number;
  statuses: Record<string, number>;
  /** Why no recipient was queued (Rendering Failure, Reject), for a message that has none. */
  failure?: string;
  /** Complaint events (the recipient's status stays delivered). */
  complaints?: number;
}

let session: Session | undefined;

export async function getSession(): Promise<Session> {
  return (session ??= await get<Session>('/session'));
}

export async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  return call<T>('GET', path, undefined, params);
}

export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown, params: Record<string, string | undefined> = {}): Promise<T> {
  return call<T>(method, path, body, params);
}

export function url(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const qs = q.toString();
  return `/_sesd/api${path}${qs ? `?${qs}` : ''}`;
}

async function call<T>(method: string, path: string, body: unknown, params: Record<string, string | undefined>): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-sesd-csrf'] = (await getSession()).csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url(path, params), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = '/_sesd/console/login';
    throw new Error('Log in first.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new Error(data.message ?? `${method} ${path} answered ${res.status}`);
  return data;
}
