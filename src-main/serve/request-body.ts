// Reading a request body up to a limit. Over the limit the client gets a 413 it can read:
// the rest of the body is read and dropped first (up to DRAIN_LIMIT), because closing the
// connection mid-upload makes browsers report "cannot reach the server" instead of the
// reply (issue 17). Past DRAIN_LIMIT the reply is sent and the connection closed.
import type http from 'node:http';
import { errorEnvelope, sendJson } from './replies';

const DRAIN_LIMIT = 64 * 1024 * 1024;

/** The body, or null when the request was answered here (413) or the client went away. */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number, tooLarge: string): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let done = false;
    const finish = (value: Buffer | null) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    const refuse = (close: boolean) => {
      sendJson(res, 413, errorEnvelope('invalid_input', tooLarge), { close });
      if (close) res.once('finish', () => req.destroy());
      finish(null);
    };
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
      refuse(true);
      return;
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        if (size > DRAIN_LIMIT) refuse(true);
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (over) refuse(false);
      else finish(Buffer.concat(chunks));
    });
    req.on('error', () => finish(null));
    req.on('close', () => finish(null));
  });
}
