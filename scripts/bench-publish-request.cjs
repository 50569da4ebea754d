'use strict';
/**
 * autocannon `setupRequest` for the publish scenario of scripts/bench.ts: every request gets a new
 * berichtId, so the benchmark measures new publishes (validate, decide, store, audit, fsync) and
 * not idempotent replays of one message. CommonJS, because autocannon `require`s it by path inside
 * its worker thread.
 */
const { randomUUID } = require('node:crypto');

const PLACEHOLDER = '"berichtId":"@berichtId@"';

module.exports = function setupRequest(request) {
  return { ...request, body: String(request.body).replace(PLACEHOLDER, `"berichtId":"${randomUUID()}"`) };
};
