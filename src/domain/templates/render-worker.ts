// A render thread (see render.ts): runs the Handlebars engine for the pool, one task at a time.
import { parentPort } from 'node:worker_threads';
import { checkTemplateSyntaxNow, renderTemplateNow, TemplateRenderingError } from './render-engine.js';
import type { RenderRequest, RenderResponse } from './render.js';

const port = parentPort!;
// The pool's time limit starts when a task is handed over: a thread's own start does not count.
port.postMessage('ready');
port.on('message', (req: RenderRequest) => {
  let res: RenderResponse;
  try {
    if (req.op === 'check') {
      checkTemplateSyntaxNow(req.content);
      res = { id: req.id, result: undefined };
    } else {
      res = { id: req.id, result: renderTemplateNow(req.content, req.data, req.options) };
    }
  } catch (err) {
    res =
      err instanceof TemplateRenderingError
        ? { id: req.id, error: { message: err.message, reason: err.reason } }
        : { id: req.id, error: { message: `Template could not be rendered: ${err instanceof Error ? err.message : String(err)}`, reason: 'invalid-template' } };
  }
  port.postMessage(res);
});
