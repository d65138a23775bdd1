// Resource policies in IAM's JSON, as SES identity policies (sending authorization) and SNS topic
// policies use them to let other accounts act on a resource. IAM's rule: an explicit Deny wins,
// else an Allow is needed. Principals are matched by account id, `arn:aws:iam::ACCOUNT:...` or
// `*`; conditions are not evaluated, so a statement with a Condition is not relied on for Allow
// (SNS's default topic policy allows its owner only under a condition: it grants no one else).

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: unknown;
}

/** Whether `policies` (JSON documents; unparseable ones grant nothing) let `account` take an action `actionMatches` accepts. */
export function policiesAllow(policies: string[], account: string, actionMatches: (action: string) => boolean): boolean {
  let allowed = false;
  for (const text of policies) {
    for (const st of statementsOf(text)) {
      const actions = Array.isArray(st.Action) ? st.Action : st.Action ? [st.Action] : [];
      if (!principalMatches(st.Principal, account) || !actions.some((a) => a === '*' || actionMatches(a))) continue;
      if (st.Effect === 'Deny') return false;
      if (st.Effect === 'Allow' && !st.Condition) allowed = true;
    }
  }
  return allowed;
}

function statementsOf(text: string): Statement[] {
  try {
    const doc = JSON.parse(text) as { Statement?: Statement | Statement[] };
    return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch {
    return [];
  }
}

function principalMatches(principal: unknown, account: string): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: string | string[] } | undefined)?.AWS;
  const list = Array.isArray(aws) ? aws : aws ? [aws] : [];
  return list.some((p) => p === '*' || p === account || p.startsWith(`arn:aws:iam::${account}:`));
}
