#!/usr/bin/env node
// Extracts the AWS service models that sesd speaks (SES v2, SES v1, Pinpoint, Pinpoint Email, SNS) into
// src/protocol/models/<service>.json and generates TypeScript types in src/protocol/models/types/.
//
// Usage: npm run models [-- --aws-sdk DIR --botocore DIR --sdk-v3-sesv2 DIR|none --out DIR --only sns,ses]
//
// Sources, and how to get them when they are not installed:
//   --aws-sdk DIR    the `aws-sdk` (JavaScript v2) package. It is the authority for operations,
//                    routes and structure (its models are newer than Debian's botocore). Found in
//                    node_modules if present; otherwise:
//                      npm pack aws-sdk@2.1693.0 && tar xzf aws-sdk-2.1693.0.tgz  # → ./package
//                      npm run models -- --aws-sdk ./package
//   --botocore DIR   botocore's data directory, for what the aws-sdk "min" models strip: enums,
//                    min/max, patterns, each operation's errors and the error shapes with their
//                    codes and HTTP statuses. Default /usr/lib/python3/dist-packages/botocore/data
//                    (Debian/Ubuntu: `apt-get install python3-botocore`; or `pip download botocore`
//                    and unzip, then pass .../botocore/data).
//   --sdk-v3-sesv2 DIR  optional (`none` to go without): @aws-sdk/client-sesv2, the newest SES v2
//                    model at hand. Adds what newer clients send that the aws-sdk v2 model
//                    predates: members (Attachments, TemplateContent...), routes AWS added for an
//                    existing operation (POST /v2/email/list-identities), enum values, and names
//                    for shapes botocore does not know. Operations stay those of aws-sdk.
//                    Found in node_modules if present.
//   --out DIR        where to write (default src/protocol/models).
//   --only LIST      extract only these services (comma-separated names: sesv2, ses, sns...).
//
// Output is deterministic (keys sorted, except structure members, which keep model order because
// query XML is written in that order), so re-running with the same sources gives no diff.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SERVICES = [
  { name: 'sesv2', min: 'sesv2-2019-09-27', boto: 'sesv2/2019-09-27' },
  { name: 'ses', min: 'email-2010-12-01', boto: 'ses/2010-12-01' },
  { name: 'pinpoint', min: 'pinpoint-2016-12-01', boto: 'pinpoint/2016-12-01' },
  { name: 'pinpoint-email', min: 'pinpoint-email-2018-07-26', boto: 'pinpoint-email/2018-07-26' },
  { name: 'sns', min: 'sns-2010-03-31', boto: 'sns/2010-03-31' },
];

const SCALARS = new Set(['string', 'integer', 'long', 'double', 'float', 'boolean', 'timestamp', 'blob', 'character', 'byte', 'short', 'bigdecimal', 'biginteger']);
// Traits that belong to the reference (the member), not to the shape it points at.
const MEMBER_TRAITS = ['location', 'locationName', 'queryName', 'xmlNamespace', 'xmlAttribute', 'jsonvalue', 'idempotencyToken', 'hostLabel', 'deprecated', 'deprecatedMessage', 'streaming', 'eventpayload'];
// Shape traits kept from the min model (structure comes from there).
const MIN_SHAPE_TRAITS = ['timestampFormat', 'flattened', 'sensitive', 'payload', 'document', 'union', 'event', 'eventstream'];

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value`);
    args[a.slice(2)] = value;
    i++;
  }
  return args;
}

function locate(args) {
  const require = createRequire(join(root, 'package.json'));
  let awsSdk = args['aws-sdk'];
  if (!awsSdk) {
    try {
      awsSdk = dirname(require.resolve('aws-sdk/package.json'));
    } catch {
      throw new Error('aws-sdk not found in node_modules; pass --aws-sdk DIR (see the header of this script)');
    }
  }
  const botocore = args.botocore ?? '/usr/lib/python3/dist-packages/botocore/data';
  if (!existsSync(botocore)) throw new Error(`botocore data not found at ${botocore}; pass --botocore DIR or apt-get install python3-botocore`);
  let v3 = args['sdk-v3-sesv2'] === 'none' ? undefined : args['sdk-v3-sesv2'];
  if (!v3 && args['sdk-v3-sesv2'] !== 'none') {
    try {
      v3 = dirname(require.resolve('@aws-sdk/client-sesv2/package.json'));
    } catch {
      v3 = undefined;
    }
  }
  return { awsSdk, botocore, v3 };
}

// pip's botocore ships its models gzipped (service-2.json.gz); Debian's does not.
const readJson = (p) => JSON.parse(existsSync(p) ? readFileSync(p, 'utf8') : gunzipSync(readFileSync(`${p}.gz`)).toString('utf8'));

/**
 * The newest SES v2 model we have is the one compiled into @aws-sdk/client-sesv2. It has no
 * constraints and no integer/double distinction, but it has what newer clients send: members the
 * aws-sdk v2 model predates (Attachments, TemplateContent, MaxDeliverySeconds...), routes AWS has
 * added (POST /v2/email/list-identities) and proper names for shapes botocore does not know.
 * Read as a botocore-like `{ shapes, operations, enums }`.
 */
function loadV3(dir) {
  if (!dir) return undefined;
  const require = createRequire(join(dir, 'package.json'));
  const client = require(join(dir, 'dist-cjs/index.js'));
  const { NormalizedSchema } = require('@smithy/core/schema');
  const shapes = {};
  const operations = {};
  const enums = new Map();

  const nameOf = (ns) => {
    const raw = ns.getSchema();
    return Array.isArray(raw) ? raw[2] : undefined;
  };
  const add = (ns) => {
    if (ns.isStructSchema()) {
      const raw = ns.getSchema();
      const name = raw[2];
      if (shapes[name]) return name;
      const out = { type: 'structure', members: {} };
      shapes[name] = out;
      const requiredCount = typeof raw[6] === 'number' ? raw[6] : 0;
      let i = 0;
      const required = [];
      for (const [m, ms] of ns.structIterator()) {
        const t = ms.getMergedTraits();
        const ref = { shape: add(ms) };
        if (t.httpLabel) Object.assign(ref, { location: 'uri', locationName: m });
        else if (t.httpQuery) Object.assign(ref, { location: 'querystring', locationName: t.httpQuery });
        else if (t.httpHeader) Object.assign(ref, { location: 'header', locationName: t.httpHeader });
        else if (t.jsonName) ref.locationName = t.jsonName;
        if (t.httpPayload) out.payload = m;
        out.members[m] = ref;
        if (i++ < requiredCount) required.push(m);
      }
      if (required.length) out.required = required;
      return name;
    }
    if (ns.isListSchema()) {
      const member = add(ns.getValueSchema());
      const name = nameOf(ns) ?? `__listOf${member}`;
      shapes[name] ??= { type: 'list', member: { shape: member } };
      return name;
    }
    if (ns.isMapSchema()) {
      const value = add(ns.getValueSchema());
      const name = nameOf(ns) ?? `__mapOf${value}`;
      shapes[name] ??= { type: 'map', key: { shape: '__string' }, value: { shape: value } };
      return name;
    }
    let type = 'string';
    if (ns.isBlobSchema()) type = 'blob';
    else if (ns.isTimestampSchema()) type = 'timestamp';
    else if (ns.isBooleanSchema()) type = 'boolean';
    else if (ns.isNumericSchema()) type = 'double'; // the compiled schema does not say integer
    shapes[`__${type}`] ??= { type };
    return `__${type}`;
  };

  for (const [exportName, value] of Object.entries(client)) {
    if (Array.isArray(value) && value[0] === 9 && exportName.endsWith('$')) {
      const [, , opName, traits, input, output] = value;
      const [method, requestUri, responseCode] = traits.http;
      operations[opName] = {
        http: { method, requestUri, responseCode },
        input: { shape: add(NormalizedSchema.of(input)) },
        output: { shape: add(NormalizedSchema.of(output)) },
      };
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const values = Object.values(value);
      if (values.length > 0 && values.every((v) => typeof v === 'string')) enums.set(exportName, values);
    }
  }
  return { shapes, operations, enums };
}

/** Synthesised names (`__string`, `__listOf...`) are not names to give a shape of ours. */
const realName = (n) => (n && !n.startsWith('__') ? n : undefined);

function extract(service, sources, v3, report) {
  const min = readJson(join(sources.awsSdk, 'apis', `${service.min}.min.json`));
  const boto = readJson(join(sources.botocore, service.boto, 'service-2.json'));
  const botoNames = new Set(Object.keys(boto.shapes));
  const v3Enums = v3?.enums ?? new Map();

  const shapes = {}; // name → shape
  const owners = new Map(); // name → identity key that owns it
  const memo = new Map(); // identity key → name
  const botoNameOfRef = new Map(); // min shape id → the botocore name first seen for it
  const v3NameOfRef = new Map();
  const oursOfV3 = new Map(); // v3 shape name → our shape built at a position v3 names so
  const supplements = []; // [our structure, v3 structure]: members v3 has and the min model lacks
  const stats = { enums: 0, lengths: 0, patterns: 0, typeMismatches: [], v3EnumValuesAdded: 0, v3Members: [], v3Routes: [] };

  const suffixed = new Map(); // name → the name it was meant to have
  const claim = (wanted, key) => {
    let name = wanted;
    for (let n = 2; owners.has(name) && owners.get(name) !== key; n++) name = `${wanted}${n}`;
    owners.set(name, key);
    if (name !== wanted) suffixed.set(name, wanted);
    return name;
  };

  const typeOf = (node) => node.type ?? 'string';
  const category = (t) => (t === 'string' || t === 'blob' ? t : ['integer', 'long', 'double', 'float', 'short', 'byte'].includes(t) ? 'number' : t);

  /** Splits a min-model node into member traits and the shape it describes (resolving `shape`). */
  function split(node) {
    const memberTraits = {};
    for (const t of MEMBER_TRAITS) if (node[t] !== undefined) memberTraits[t] = node[t];
    if (node.shape) return { memberTraits, shape: min.shapes[node.shape], minKey: `ref:${node.shape}` };
    return { memberTraits, shape: node, minKey: undefined };
  }

  function mergeConstraints(out, type, botoShape, name) {
    if (!botoShape) return;
    if (category(botoShape.type) !== category(type)) {
      stats.typeMismatches.push(`${name}: ${botoShape.type} → ${type}`);
      return;
    }
    if (botoShape.enum && type === 'string') {
      const values = [...botoShape.enum];
      const extra = v3Enums.get(name);
      if (extra) for (const v of extra) if (!values.includes(v)) { values.push(v); stats.v3EnumValuesAdded++; }
      out.enum = values;
      stats.enums++;
    }
    if (botoShape.min !== undefined) { out.min = botoShape.min; stats.lengths++; }
    if (botoShape.max !== undefined) { out.max = botoShape.max; stats.lengths++; }
    if (botoShape.pattern !== undefined && (type === 'string')) {
      try {
        new RegExp(botoShape.pattern);
        out.pattern = botoShape.pattern;
        stats.patterns++;
      } catch {
        report.push(`${service.name}: pattern of ${name} is not a JavaScript regular expression; dropped`);
      }
    }
  }

  const canonicalScalar = (out) => {
    const keys = Object.keys(out).filter((k) => k !== 'sensitive');
    if (keys.length === 1) return `__${out.type}`;
    if (keys.length === 2 && out.timestampFormat) return `__timestamp${out.timestampFormat[0].toUpperCase()}${out.timestampFormat.slice(1)}`;
    return undefined;
  };

  /**
   * Converts the min node at a position to a named shape of the output model. `pos` names the
   * botocore and v3 shapes at the same position (where they know it); `hint` names the rest.
   */
  function convert(node, pos, hint) {
    const { shape: minShape, minKey } = split(node);
    // A min shape shared by several positions is one structure: where botocore does not know a
    // position (a newer member or operation), reuse the name botocore gave it elsewhere.
    let botoName = pos.boto;
    let v3Name = realName(pos.v3);
    if (minKey) {
      if (!botoName) botoName = botoNameOfRef.get(minKey);
      else if (!botoNameOfRef.has(minKey)) botoNameOfRef.set(minKey, botoName);
      if (!v3Name) v3Name = v3NameOfRef.get(minKey);
      else if (!v3NameOfRef.has(minKey)) v3NameOfRef.set(minKey, v3Name);
    }
    const type = typeOf(minShape);
    const botoShape = botoName ? boto.shapes[botoName] : undefined;
    const v3Shape = v3Name ? v3.shapes[v3Name] : undefined;
    const identity = `${minKey ?? `inline:${hint.path}`}|${botoName ?? ''}`;
    if (memo.has(identity)) return memo.get(identity);

    if (SCALARS.has(type)) {
      const out = { type };
      for (const t of MIN_SHAPE_TRAITS) if (minShape[t] !== undefined) out[t] = minShape[t];
      mergeConstraints(out, type, botoShape, botoName);
      const name = canonicalScalar(out) ?? claim(botoName ?? uniqueHint(hint), identity);
      if (name.startsWith('__')) delete out.sensitive;
      memo.set(identity, name);
      shapes[name] = out;
      return name;
    }

    const name = claim(hint.forced ?? botoName ?? v3Name ?? uniqueHint(hint), identity);
    memo.set(identity, name);
    if (v3Name && v3Shape?.type === type && !oursOfV3.has(v3Name)) oursOfV3.set(v3Name, name);
    const out = { type };
    shapes[name] = out; // before recursing: shapes may be recursive
    for (const t of MIN_SHAPE_TRAITS) if (minShape[t] !== undefined) out[t] = minShape[t];
    const botoOk = botoShape && botoShape.type === type;
    if (botoShape && !botoOk) stats.typeMismatches.push(`${botoName}: ${botoShape.type} → ${type}`);
    const v3Ok = v3Shape && v3Shape.type === type;

    if (type === 'structure') {
      out.members = {};
      for (const [memberName, memberNode] of Object.entries(minShape.members ?? {})) {
        const child = { boto: botoOk ? botoShape.members?.[memberName]?.shape : undefined, v3: v3Ok ? v3Shape.members?.[memberName]?.shape : undefined };
        const { memberTraits } = split(memberNode);
        const ref = { shape: convert(memberNode, child, { member: memberName, parent: name, path: `${hint.path}.${memberName}` }), ...memberTraits };
        out.members[memberName] = sortKeys(ref);
      }
      if (minShape.required?.length) out.required = [...minShape.required];
      if (v3Ok) supplements.push([name, v3Name]);
    } else if (type === 'list') {
      const memberNode = minShape.member ?? {};
      const { memberTraits } = split(memberNode);
      const child = { boto: botoOk ? botoShape.member?.shape : undefined, v3: v3Ok ? v3Shape.member?.shape : undefined };
      out.member = sortKeys({ shape: convert(memberNode, child, { member: singular(name), parent: name, path: `${hint.path}[]` }), ...memberTraits });
      mergeConstraints(out, type, botoOk ? botoShape : undefined, botoName);
    } else if (type === 'map') {
      for (const part of ['key', 'value']) {
        const partNode = minShape[part] ?? {};
        const { memberTraits } = split(partNode);
        const child = { boto: botoOk ? botoShape[part]?.shape : undefined, v3: v3Ok ? v3Shape[part]?.shape : undefined };
        const suffix = part === 'key' ? 'Key' : 'Value';
        out[part] = sortKeys({ shape: convert(partNode, child, { member: `${name}${suffix}`, parent: name, path: `${hint.path}{${part}}` }), ...memberTraits });
      }
      mergeConstraints(out, type, botoOk ? botoShape : undefined, botoName);
    } else {
      throw new Error(`${service.name}: unsupported shape type ${type} at ${hint.path}`);
    }
    return name;
  }

  /** `MessageTagList` → `MessageTag`, `Headers` → `Header`: the name of a list's element. */
  function singular(listName) {
    if (listName.endsWith('List') && listName.length > 4) return listName.slice(0, -4);
    if (/[^s]s$/.test(listName)) return listName.slice(0, -1);
    return `${listName}Member`;
  }

  /** A readable name for a shape no source names: the member's name, else Parent+Member. */
  function uniqueHint(hint) {
    const taken = (n) => botoNames.has(n) || owners.has(n) || (v3 && v3.shapes[n]);
    if (hint.member && !taken(hint.member)) return hint.member;
    return `${hint.parent ?? ''}${hint.member ?? 'Shape'}`;
  }

  /**
   * Converts a shape that only a botocore-like source has: error shapes (botocore) and members or
   * shapes newer than the min model (v3). Botocore constraints apply where botocore knows the name.
   */
  function convertFrom(source, sourceName) {
    if (source === v3 && oursOfV3.has(sourceName)) return oursOfV3.get(sourceName);
    const identity = `${source === boto ? 'boto' : 'v3'}:${sourceName}`;
    if (memo.has(identity)) return memo.get(identity);
    const b = source.shapes[sourceName];
    const botoShape = boto.shapes[sourceName];
    if (SCALARS.has(b.type)) {
      const out = { type: b.type };
      mergeConstraints(out, b.type, botoShape, sourceName);
      const name = canonicalScalar(out) ?? claim(sourceName, identity);
      memo.set(identity, name);
      shapes[name] = out;
      return name;
    }
    const name = claim(sourceName, identity);
    memo.set(identity, name);
    if (source === v3) oursOfV3.set(sourceName, name);
    const out = { type: b.type };
    shapes[name] = out;
    if (b.type === 'structure') {
      out.members = {};
      for (const [m, ref] of Object.entries(b.members ?? {})) {
        const r = { shape: convertFrom(source, ref.shape) };
        for (const t of MEMBER_TRAITS) if (ref[t] !== undefined) r[t] = ref[t];
        out.members[m] = sortKeys(r);
      }
      if (b.required?.length) out.required = [...b.required];
      if (b.payload) out.payload = b.payload;
      if (b.exception) out.exception = true;
    } else if (b.type === 'list') {
      out.member = { shape: convertFrom(source, b.member.shape) };
      if (botoShape?.type === 'list') mergeConstraints(out, 'list', botoShape, sourceName);
    } else if (b.type === 'map') {
      out.key = { shape: convertFrom(source, b.key.shape) };
      out.value = { shape: convertFrom(source, b.value.shape) };
      if (botoShape?.type === 'map') mergeConstraints(out, 'map', botoShape, sourceName);
    }
    return name;
  }

  // Reserve the operation-level names first, so that nested shapes never take them.
  const opNames = Object.keys(min.operations).sort();
  // Operations botocore knows go first, so shared shapes get botocore's names before newer
  // operations reach them.
  const byKnowledge = [...opNames.filter((o) => boto.operations[o]), ...opNames.filter((o) => !boto.operations[o])];
  for (const op of opNames) {
    owners.set(`${op}Request`, `op:${op}:input`);
    owners.set(`${op}Response`, `op:${op}:output`);
  }

  const operations = {};
  const missingInBotocore = [];
  for (const op of byKnowledge) {
    const m = min.operations[op];
    const b = boto.operations[op];
    const v = v3?.operations[op];
    if (!b) missingInBotocore.push(op);
    const out = {};
    if (m.http) {
      out.http = { method: m.http.method ?? 'POST', requestUri: m.http.requestUri ?? '/' };
      if (m.http.responseCode !== undefined) out.http.responseCode = m.http.responseCode;
    }
    if (m.input) {
      const name = `${op}Request`;
      owners.delete(name);
      out.input = convert(m.input, { boto: b?.input?.shape, v3: v?.input.shape }, { forced: name, member: name, path: `${op}.input` });
    }
    if (m.output) {
      const name = `${op}Response`;
      owners.delete(name);
      out.output = convert(m.output, { boto: b?.output?.shape, v3: v?.output.shape }, { forced: name, member: name, path: `${op}.output` });
      if (m.output.resultWrapper) out.resultWrapper = m.output.resultWrapper;
    }
    if (b?.errors?.length) out.errors = b.errors.map((e) => convertFrom(boto, e.shape)).sort();
    if (m.idempotent) out.idempotent = true;
    if (m.deprecated) out.deprecated = true;
    operations[op] = out;
  }

  // Members newer clients send that the min model predates. Until AWS removes a member, taking
  // it costs nothing; dropping it would silently lose what the caller asked for.
  for (const [ours, theirs] of supplements) {
    const target = shapes[ours];
    for (const [m, ref] of Object.entries(v3.shapes[theirs].members)) {
      if (target.members[m]) continue;
      const r = { shape: convertFrom(v3, ref.shape) };
      for (const t of MEMBER_TRAITS) if (ref[t] !== undefined) r[t] = ref[t];
      target.members[m] = sortKeys(r);
      if (v3.shapes[theirs].required?.includes(m)) (target.required ??= []).push(m);
      stats.v3Members.push(`${ours}.${m}`);
    }
  }

  // Routes AWS has added for an operation (ListEmailIdentities is now also POST
  // /v2/email/list-identities, with its parameters in the body). Newer clients use them.
  const pattern = (uri) => uri.replace(/\{[^}]+\}/g, '{}').replace(/(.)\/$/, '$1');
  const binding = (ref) => (ref ? `${ref.location ?? 'body'}:${ref.locationName ?? ''}` : 'absent');
  for (const op of opNames) {
    const v = v3?.operations[op];
    const out = operations[op];
    if (!v || !out.http) continue;
    const same = v.http.method === out.http.method && pattern(v.http.requestUri) === pattern(out.http.requestUri);
    if (same) continue;
    const alt = { method: v.http.method, requestUri: v.http.requestUri };
    if (v.http.responseCode !== (out.http.responseCode ?? 200)) alt.responseCode = v.http.responseCode;
    const theirs = v3.shapes[v.input.shape];
    const primary = shapes[out.input];
    const differs = Object.entries(theirs.members).some(([m, ref]) => {
      const mine = primary.members[m];
      if (!mine) return ref.location !== undefined;
      const locName = (r) => (r.location ? r.locationName ?? m : r.locationName ?? '');
      return binding({ ...mine, locationName: locName(mine) }) !== binding({ ...ref, locationName: locName(ref) });
    });
    if (differs) {
      const name = claim(`${op}AltRequest`, `alt:${op}`);
      const alternate = { type: 'structure', members: {} };
      for (const [m, ref] of Object.entries(theirs.members)) {
        const r = { shape: primary.members[m]?.shape ?? convertFrom(v3, ref.shape) };
        for (const t of MEMBER_TRAITS) if (ref[t] !== undefined) r[t] = ref[t];
        alternate.members[m] = sortKeys(r);
      }
      if (theirs.required?.length) alternate.required = [...theirs.required];
      if (theirs.payload) alternate.payload = theirs.payload;
      shapes[name] = alternate;
      alt.input = name;
    }
    (out.alternateHttp ??= []).push(alt);
    stats.v3Routes.push(`${op}: ${alt.method} ${alt.requestUri}`);
  }

  // Every exception shape botocore knows, even if no operation lists it: handlers may raise them.
  const errors = {};
  for (const [name, b] of Object.entries(boto.shapes)) {
    if (!b.exception) continue;
    const shapeName = convertFrom(boto, name);
    errors[shapeName] = {
      code: b.error?.code ?? name,
      httpStatus: b.error?.httpStatusCode ?? (b.fault ? 500 : 400),
      senderFault: b.error?.senderFault ?? !b.fault,
    };
  }

  dedupe(shapes, operations, suffixed, errors);

  const metadata = {};
  for (const k of ['apiVersion', 'endpointPrefix', 'jsonVersion', 'protocol', 'serviceAbbreviation', 'serviceFullName', 'serviceId', 'signatureVersion', 'signingName', 'targetPrefix', 'uid', 'xmlNamespace']) {
    if (min.metadata[k] !== undefined) metadata[k] = min.metadata[k];
  }

  report.push(
    `${service.name}: ${opNames.length} operations (${missingInBotocore.length} unknown to botocore${missingInBotocore.length ? `: ${missingInBotocore.join(', ')}` : ''}), ` +
      `${Object.keys(shapes).length} shapes, ${Object.keys(errors).length} error shapes, ` +
      `${stats.enums} enums, ${stats.lengths} min/max, ${stats.patterns} patterns merged` +
      (stats.v3EnumValuesAdded ? `, ${stats.v3EnumValuesAdded} enum values added from the v3 client` : '') +
      (stats.v3Members.length ? `, ${stats.v3Members.length} members added from the v3 client (${stats.v3Members.join(', ')})` : '') +
      (stats.v3Routes.length ? `, routes added from the v3 client (${stats.v3Routes.join('; ')})` : '') +
      (stats.typeMismatches.length ? `; type differs from botocore (constraints not merged): ${[...new Set(stats.typeMismatches)].join(', ')}` : ''),
  );

  return { metadata, operations, shapes, errors };
}

/** Folds shapes that came out identical under a suffixed name (`Foo2` equal to `Foo`) into one. */
function dedupe(shapes, operations, suffixed, errors) {
  for (;;) {
    const rename = new Map();
    for (const [name, base] of suffixed) {
      if (!shapes[name] || !shapes[base] || errors[name]) continue;
      if (JSON.stringify(sortKeys(shapes[name])) === JSON.stringify(sortKeys(shapes[base]))) rename.set(name, base);
    }
    if (rename.size === 0) return;
    const fix = (ref) => { if (ref && rename.has(ref.shape)) ref.shape = rename.get(ref.shape); };
    for (const name of rename.keys()) { delete shapes[name]; suffixed.delete(name); }
    for (const s of Object.values(shapes)) {
      for (const ref of Object.values(s.members ?? {})) fix(ref);
      fix(s.member); fix(s.key); fix(s.value);
    }
    for (const op of Object.values(operations)) {
      if (rename.has(op.input)) op.input = rename.get(op.input);
      if (rename.has(op.output)) op.output = rename.get(op.output);
      if (op.errors) op.errors = op.errors.map((e) => rename.get(e) ?? e);
      for (const alt of op.alternateHttp ?? []) if (rename.has(alt.input)) alt.input = rename.get(alt.input);
    }
  }
}

function sortKeys(value, keepOrder = false) {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (!value || typeof value !== 'object') return value;
  const out = {};
  const keys = keepOrder ? Object.keys(value) : Object.keys(value).sort();
  for (const k of keys) out[k] = sortKeys(value[k], k === 'members' && !keepOrder);
  return out;
}

// ---------------------------------------------------------------------------------------------
// TypeScript types

const TS_RESERVED = new Set(['Date', 'Uint8Array', 'Record', 'Partial', 'Array', 'String', 'Number', 'Boolean', 'Object', 'Error', 'Map', 'Set', 'Promise', 'Function', 'Symbol', 'Operations']);

function generateTypes(serviceName, model) {
  const typeName = (n) => (TS_RESERVED.has(n) ? `${n}Shape` : n.replace(/[^A-Za-z0-9_$]/g, '_'));
  const named = new Map(); // shape name → emitted TS declaration name
  for (const [name, s] of Object.entries(model.shapes)) {
    if ((s.type === 'structure' && !s.exception) || (s.type === 'string' && s.enum)) named.set(name, typeName(name));
  }

  const ref = (shapeName) => {
    const s = model.shapes[shapeName];
    if (named.has(shapeName)) return named.get(shapeName);
    switch (s.type) {
      case 'string': return 'string';
      case 'integer': case 'long': case 'double': case 'float': case 'short': case 'byte': return 'number';
      case 'boolean': return 'boolean';
      case 'timestamp': return 'Date';
      case 'blob': return 'Uint8Array';
      case 'list': {
        const inner = ref(s.member.shape);
        return /^[A-Za-z0-9_$]+$/.test(inner) ? `${inner}[]` : `Array<${inner}>`;
      }
      case 'map': return `Record<string, ${ref(s.value.shape)}>`;
      default: return 'unknown';
    }
  };
  const prop = (n) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(n) ? n : JSON.stringify(n));

  const lines = [
    `// Generated by scripts/extract-models.mjs from the ${model.metadata.serviceFullName ?? serviceName} model (${model.metadata.apiVersion}). Do not edit.`,
    '/* eslint-disable */',
    '',
  ];
  const emitted = new Set();
  const emitStructure = (shapeName, declName) => {
    const s = model.shapes[shapeName];
    const required = new Set(s.required ?? []);
    const members = Object.entries(s.members ?? {});
    if (members.length === 0) {
      lines.push(`export type ${declName} = Record<string, never>;`, '');
      return;
    }
    lines.push(`export interface ${declName} {`);
    for (const [m, r] of members) lines.push(`  ${prop(m)}${required.has(m) ? '' : '?'}: ${ref(r.shape)};`);
    lines.push('}', '');
  };

  for (const [opName, op] of Object.entries(model.operations)) {
    for (const [kind, suffix] of [['input', 'Request'], ['output', 'Response']]) {
      const decl = `${opName}${suffix}`;
      if (op[kind] && op[kind] === decl) continue; // emitted with the other structures
      if (op[kind]) lines.push(`export type ${decl} = ${ref(op[kind])};`, '');
      else lines.push(`export type ${decl} = Record<string, never>;`, '');
      emitted.add(decl);
    }
  }
  for (const name of Object.keys(model.shapes).sort()) {
    const s = model.shapes[name];
    const decl = named.get(name);
    if (!decl || emitted.has(decl)) continue;
    emitted.add(decl);
    if (s.type === 'structure') emitStructure(name, decl);
    else lines.push(`export type ${decl} = ${s.enum.map((v) => JSON.stringify(v)).join(' | ')};`, '');
  }
  lines.push('export type Operations = {');
  for (const opName of Object.keys(model.operations)) {
    lines.push(`  ${opName}: { input: ${opName}Request; output: ${opName}Response };`);
  }
  lines.push('};', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

function main() {
  const args = parseArgs(process.argv.slice(2));
  const sources = locate(args);
  const v3 = loadV3(sources.v3);
  const report = [];
  const outDir = resolve(args.out ?? join(root, 'src/protocol/models'));
  mkdirSync(join(outDir, 'types'), { recursive: true });
  const only = args.only?.split(',');
  for (const service of SERVICES.filter((s) => !only || only.includes(s.name))) {
    const model = extract(service, sources, service.name === 'sesv2' ? v3 : undefined, report);
    const json = JSON.stringify(sortKeys(model), null, 1) + '\n';
    writeFileSync(join(outDir, `${service.name}.json`), json);
    writeFileSync(join(outDir, 'types', `${service.name}.ts`), generateTypes(service.name, sortKeys(model)));
    report.push(`${service.name}: wrote ${json.length} bytes`);
  }
  for (const line of report) console.log(line);
}

main();
