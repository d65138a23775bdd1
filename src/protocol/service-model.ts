// The AWS service models (extracted by scripts/extract-models.mjs) as linked objects: every member
// points at its shape, so codecs walk the graph without name lookups on the hot path.
import sesv2 from './models/sesv2.json' with { type: 'json' };
import ses from './models/ses.json' with { type: 'json' };
import pinpoint from './models/pinpoint.json' with { type: 'json' };
import pinpointEmail from './models/pinpoint-email.json' with { type: 'json' };
import sns from './models/sns.json' with { type: 'json' };

export type ServiceName = 'sesv2' | 'ses' | 'pinpoint' | 'pinpoint-email' | 'sns';

export type ShapeType =
  | 'structure' | 'list' | 'map'
  | 'string' | 'integer' | 'long' | 'double' | 'float' | 'boolean' | 'timestamp' | 'blob';

export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';

export interface Member {
  readonly name: string;
  readonly shape: Shape;
  readonly location?: MemberLocation;
  /** Name on the wire: the JSON key, query/XML element, header, query parameter or URI label. */
  readonly wireName: string;
  /** Set when the model gives a locationName; query and XML lists use it for their elements. */
  readonly locationName?: string;
  readonly required: boolean;
  readonly timestampFormat?: string;
  readonly jsonvalue?: boolean;
}

export interface Shape {
  readonly name: string;
  readonly type: ShapeType;
  readonly enum?: ReadonlySet<string>;
  /** The enum values in model order, for messages. */
  readonly enumList?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly patternSource?: string;
  readonly timestampFormat?: string;
  readonly flattened?: boolean;
  readonly exception?: boolean;
  /** A value AWS never echoes, in validation messages either (e.g. WebsiteURL). */
  readonly sensitive?: boolean;
  // structure
  readonly members?: readonly Member[];
  readonly memberMap?: ReadonlyMap<string, Member>;
  readonly payload?: Member;
  // list
  readonly member?: Member;
  // map
  readonly key?: Member;
  readonly value?: Member;
}

export interface HttpRoute {
  readonly method: string;
  readonly requestUri: string;
  readonly responseCode: number;
  /** The input shape as this route binds it to the request. */
  readonly input?: Shape;
}

export interface Operation {
  readonly name: string;
  /** The route of the model the operation comes from. */
  readonly http: HttpRoute;
  /** `http` first, then routes AWS added later (e.g. POST /v2/email/list-identities). */
  readonly routes: readonly HttpRoute[];
  readonly input?: Shape;
  readonly output?: Shape;
  /** Names of the error shapes the operation may answer with (from botocore; may be empty). */
  readonly errors: readonly string[];
  /** Query protocol: the element that wraps the output, e.g. `SendEmailResult`. */
  readonly resultWrapper?: string;
}

export interface ModelledError {
  readonly shape: Shape;
  /** The wire code, e.g. `TemplateDoesNotExist` for SES v1's TemplateDoesNotExistException. */
  readonly code: string;
  readonly httpStatus: number;
  readonly senderFault: boolean;
}

export interface ServiceModel {
  readonly name: ServiceName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly protocol: 'rest-json' | 'query';
  readonly operations: ReadonlyMap<string, Operation>;
  readonly shapes: ReadonlyMap<string, Shape>;
  /** By shape name and by wire code (they differ in SES v1). */
  readonly errors: ReadonlyMap<string, ModelledError>;
}

interface RawRef {
  shape: string;
  location?: string;
  locationName?: string;
  timestampFormat?: string;
  jsonvalue?: boolean;
}
interface RawShape {
  type: string;
  members?: Record<string, RawRef>;
  required?: string[];
  payload?: string;
  member?: RawRef;
  key?: RawRef;
  value?: RawRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  timestampFormat?: string;
  flattened?: boolean;
  sensitive?: boolean;
  exception?: boolean;
}
interface RawHttp {
  method: string;
  requestUri: string;
  responseCode?: number;
  input?: string;
}
interface RawOperation {
  http?: RawHttp;
  alternateHttp?: RawHttp[];
  input?: string;
  output?: string;
  errors?: string[];
  resultWrapper?: string;
}
interface RawModel {
  metadata: Record<string, string>;
  operations: Record<string, RawOperation>;
  shapes: Record<string, RawShape>;
  errors: Record<string, { code: string; httpStatus: number; senderFault: boolean }>;
}

const RAW: Record<ServiceName, unknown> = { sesv2, ses, pinpoint, 'pinpoint-email': pinpointEmail, sns };
const cache = new Map<ServiceName, ServiceModel>();

export function loadModel(name: ServiceName): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    model = link(name, RAW[name] as RawModel);
    cache.set(name, model);
  }
  return model;
}

/** Links a model in the extracted JSON form; loadModel's work, open to tests and tools. */
export function linkModel(name: ServiceName, json: unknown): ServiceModel {
  return link(name, json as RawModel);
}

function link(name: ServiceName, raw: RawModel): ServiceModel {
  // Shapes are created empty first and filled afterwards, because shapes may refer to each other
  // in cycles.
  type Mutable<T> = { -readonly [K in keyof T]: T[K] };
  const shapes = new Map<string, Mutable<Shape>>();
  for (const [shapeName, s] of Object.entries(raw.shapes)) {
    shapes.set(shapeName, { name: shapeName, type: s.type as ShapeType });
  }
  const ref = (r: RawRef, memberName: string, required: boolean): Member => {
    const shape = shapes.get(r.shape);
    if (!shape) throw new Error(`${name}: unknown shape ${r.shape}`);
    const m: Mutable<Member> = { name: memberName, shape, wireName: r.locationName ?? memberName, required };
    if (r.location) m.location = r.location as MemberLocation;
    if (r.locationName) m.locationName = r.locationName;
    if (r.timestampFormat) m.timestampFormat = r.timestampFormat;
    if (r.jsonvalue) m.jsonvalue = true;
    return m;
  };
  for (const [shapeName, s] of Object.entries(raw.shapes)) {
    const shape = shapes.get(shapeName)!;
    if (s.enum) {
      shape.enum = new Set(s.enum);
      shape.enumList = s.enum;
    }
    if (s.min !== undefined) shape.min = s.min;
    if (s.max !== undefined) shape.max = s.max;
    if (s.pattern !== undefined) {
      shape.pattern = new RegExp(s.pattern);
      shape.patternSource = s.pattern;
    }
    if (s.timestampFormat) shape.timestampFormat = s.timestampFormat;
    if (s.flattened) shape.flattened = true;
    if (s.sensitive) shape.sensitive = true;
    if (s.exception) shape.exception = true;
    if (s.type === 'structure') {
      const required = new Set(s.required ?? []);
      const members = Object.entries(s.members ?? {}).map(([m, r]) => ref(r, m, required.has(m)));
      shape.members = members;
      shape.memberMap = new Map(members.map((m) => [m.name, m]));
      if (s.payload) shape.payload = shape.memberMap.get(s.payload);
    } else if (s.type === 'list') {
      shape.member = ref(s.member!, 'member', false);
    } else if (s.type === 'map') {
      shape.key = ref(s.key!, 'key', false);
      shape.value = ref(s.value!, 'value', false);
    }
  }

  const operations = new Map<string, Operation>();
  for (const [opName, o] of Object.entries(raw.operations)) {
    const input = o.input ? shapes.get(o.input) : undefined;
    const http: HttpRoute = {
      method: o.http?.method ?? 'POST',
      requestUri: o.http?.requestUri ?? '/',
      responseCode: o.http?.responseCode ?? 200,
      input,
    };
    const alternates = (o.alternateHttp ?? []).map((a): HttpRoute => ({
      method: a.method,
      requestUri: a.requestUri,
      responseCode: a.responseCode ?? http.responseCode,
      input: a.input ? shapes.get(a.input) : input,
    }));
    const op: Mutable<Operation> = { name: opName, http, routes: [http, ...alternates], errors: o.errors ?? [] };
    if (input) op.input = input;
    if (o.output) op.output = shapes.get(o.output);
    if (o.resultWrapper) op.resultWrapper = o.resultWrapper;
    operations.set(opName, op);
  }

  const errors = new Map<string, ModelledError>();
  for (const [shapeName, e] of Object.entries(raw.errors)) {
    const err: ModelledError = { shape: shapes.get(shapeName)!, ...e };
    errors.set(shapeName, err);
    if (!errors.has(e.code)) errors.set(e.code, err);
  }

  return {
    name,
    metadata: raw.metadata,
    protocol: raw.metadata.protocol === 'query' ? 'query' : 'rest-json',
    operations,
    shapes,
    errors,
  };
}
