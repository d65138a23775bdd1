// sesd driven by the real AWS CLI (v1 or v2): `aws ses` (Query API, botocore's own signer and XML
// parser) and `aws sesv2` (rest-json), checked through /_aws/ses. Skipped, saying why, when no
// working `aws` is on PATH (.ci/run installs Debian's awscli).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { capturedMessages, startSesd, TEST_KEY } from '../support/sesd.js';

const run = promisify(execFile);

function awsCliVersion(): string | undefined {
  try {
    // v1 prints its version on stderr, v2 on stdout.
    return execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim() || 'aws (version on stderr)';
  } catch {
    return undefined;
  }
}

const version = awsCliVersion();
if (!version) console.log('[sesd tests] AWS CLI tests skipped: no working `aws` on PATH (apt-get install awscli, or AWS CLI v2).');

describe.skipIf(!version).each(DIALECTS)('the AWS CLI against sesd (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    // Capture mode verifies identities on creation, so the CLI can send at once.
    app = await startSesd(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** Runs `aws ARGS` against sesd with only the test key in its environment; answers exit code and output. */
  async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
      AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-west-2',
      // Nothing from the developer's own AWS setup, and no pager or metadata lookups.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    try {
      const { stdout, stderr } = await run('aws', [...args, '--endpoint-url', app.httpUrl, '--output', 'json'], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
    }
  }

  it('sends with `aws ses send-email` and lists identities with `aws ses list-identities`', async () => {
    expect((await aws('ses', 'verify-email-identity', '--email-address', 'cli@cli.example')).code).toBe(0);
    const sent = await aws(
      'ses',
      'send-email',
      '--from',
      'cli@cli.example',
      '--destination',
      'ToAddresses=to@example.net,CcAddresses=cc@example.net',
      '--message',
      'Subject={Data=from the aws cli},Body={Text={Data=hello v1},Html={Data=<b>hello v1</b>}}',
    );
    expect(sent.stderr).toBe('');
    const { MessageId } = JSON.parse(sent.stdout) as { MessageId: string };
    const [m] = await capturedMessages(app, `?id=${MessageId}`);
    expect(m).toMatchObject({
      Source: 'cli@cli.example',
      Subject: 'from the aws cli',
      Destination: { ToAddresses: ['to@example.net'], CcAddresses: ['cc@example.net'] },
      Body: { text_part: 'hello v1', html_part: '<b>hello v1</b>' },
    });

    const listed = await aws('ses', 'list-identities');
    expect(JSON.parse(listed.stdout)).toEqual({ Identities: ['cli@cli.example'] });
  }, 120_000);

  it('sends with `aws sesv2 send-email`', async () => {
    const sent = await aws(
      'sesv2',
      'send-email',
      '--from-email-address',
      'cli@cli.example',
      '--destination',
      'ToAddresses=v2@example.net',
      '--content',
      'Simple={Subject={Data=v2 from the aws cli},Body={Text={Data=hello v2}}}',
    );
    expect(sent.stderr).toBe('');
    const { MessageId } = JSON.parse(sent.stdout) as { MessageId: string };
    const [m] = await capturedMessages(app, `?id=${MessageId}`);
    expect(m).toMatchObject({ Source: 'cli@cli.example', Subject: 'v2 from the aws cli', Destination: { ToAddresses: ['v2@example.net'] }, Body: { text_part: 'hello v2' } });
  }, 120_000);

  it('creates and renders a template with `aws ses`, and shows SES v1 errors as the CLI prints them', async () => {
    const created = await aws('ses', 'create-template', '--template', JSON.stringify({ TemplateName: 'cli', SubjectPart: 'Hi {{name}}', TextPart: 'Dear {{name}}' }));
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const rendered = await aws('ses', 'test-render-template', '--template-name', 'cli', '--template-data', '{"name":"Ana"}');
    expect((JSON.parse(rendered.stdout) as { RenderedTemplate: string }).RenderedTemplate).toMatch(/^Subject: Hi Ana\r?$/m);

    const missing = await aws('ses', 'get-template', '--template-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/An error occurred \(TemplateDoesNotExist\) when calling the GetTemplate operation: Template nope does not exist\./);
  }, 120_000);
});
