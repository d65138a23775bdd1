// Finds the operation a rest-json request is for, from the models' URI templates
// (`/v2/email/identities/{EmailIdentity}`, greedy `{Key+}`). Built once per model as a tree per
// method; a literal segment wins over a label, and a label over a greedy label, as in Smithy.
import type { Operation, ServiceModel, Shape } from './service-model.js';

export interface RouteTarget {
  readonly operation: Operation;
  /** The input shape this route binds (an added route may bind members differently). */
  readonly input: Shape | undefined;
  readonly responseCode: number;
  /** Label names in the order of their segments; `greedy` marks a trailing `{Name+}`. */
  readonly labels: readonly string[];
  readonly greedy: boolean;
}

interface Node {
  literal?: Map<string, Node>;
  label?: Node;
  greedy?: RouteTarget;
  target?: RouteTarget;
}

export interface RouteMatch {
  operation: string;
  /** URI label values, percent-decoded, by label name. */
  labels: Record<string, string>;
  route: RouteTarget;
}

const trees = new WeakMap<ServiceModel, Map<string, Node>>();

/** Splits a path into segments; a trailing slash is not a segment of its own. */
function segments(path: string): string[] {
  const parts = path.split('/');
  parts.shift(); // the empty string before the leading '/'
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function compile(model: ServiceModel): Map<string, Node> {
  const byMethod = new Map<string, Node>();
  for (const operation of model.operations.values()) {
    for (const http of operation.routes) {
      let root = byMethod.get(http.method);
      if (!root) byMethod.set(http.method, (root = {}));
      const uriPath = http.requestUri.split('?')[0]!;
      const labels: string[] = [];
      let node = root;
      let greedy = false;
      for (const seg of segments(uriPath)) {
        const m = /^\{([^}]+?)(\+)?\}$/.exec(seg);
        if (m?.[2]) {
          labels.push(m[1]!);
          greedy = true;
          break;
        }
        if (m) {
          labels.push(m[1]!);
          node = node.label ??= {};
        } else {
          node.literal ??= new Map();
          let next = node.literal.get(seg);
          if (!next) node.literal.set(seg, (next = {}));
          node = next;
        }
      }
      const target: RouteTarget = { operation, input: http.input, responseCode: http.responseCode, labels, greedy };
      // The first route compiled for a template keeps it; models do not repeat templates.
      if (greedy) node.greedy ??= target;
      else node.target ??= target;
    }
  }
  return byMethod;
}

function find(node: Node, parts: readonly string[], i: number, values: string[]): RouteTarget | undefined {
  if (i === parts.length) {
    if (node.target) return node.target;
    return undefined;
  }
  const seg = parts[i]!;
  const lit = node.literal?.get(seg);
  if (lit) {
    const found = find(lit, parts, i + 1, values);
    if (found) return found;
  }
  if (node.label && seg !== '') {
    values.push(seg);
    const found = find(node.label, parts, i + 1, values);
    if (found) return found;
    values.pop();
  }
  if (node.greedy && seg !== '') {
    values.push(parts.slice(i).join('/'));
    return node.greedy;
  }
  return undefined;
}

function decodeLabel(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The operation for a method and raw (percent-encoded, query-less) path, with its label values. */
export function matchRoute(model: ServiceModel, method: string, rawPath: string): RouteMatch | undefined {
  let tree = trees.get(model);
  if (!tree) trees.set(model, (tree = compile(model)));
  const root = tree.get(method.toUpperCase());
  if (!root) return undefined;
  const values: string[] = [];
  const route = find(root, segments(rawPath), 0, values);
  if (!route) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < route.labels.length; i++) {
    const value = decodeLabel(values[i]!);
    if (value === undefined) return undefined;
    labels[route.labels[i]!] = value;
  }
  return { operation: route.operation.name, labels, route };
}

/** The route of `operation` a request came by (operations may have more than one). */
export function routeOf(model: ServiceModel, operation: Operation, method: string, rawPath: string): RouteTarget | undefined {
  const match = matchRoute(model, method, rawPath);
  return match && match.route.operation === operation ? match.route : undefined;
}
