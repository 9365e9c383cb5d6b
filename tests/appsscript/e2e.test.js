'use strict';
/*
 * The menu's Sync now against the real `sheetops serve` over HTTP (started by
 * tests/appsscript/test_appsscript.py with the emulator behind it). Skipped when run alone.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {makeWorld, realHttp} = require('./fakes.js');

const env = process.env;
const wired = Boolean(env.SHEETOPS_E2E_SERVICE);

test('Sync now through the real service', {skip: wired ? false : 'run by test_appsscript.py'}, () => {
  const properties = {SHEETOPS_SERVICE_URL: env.SHEETOPS_E2E_SERVICE};
  if (env.SHEETOPS_E2E_SECRET) properties.SHEETOPS_SECRET = env.SHEETOPS_E2E_SECRET;
  const world = makeWorld({properties, spreadsheetId: env.SHEETOPS_E2E_SPREADSHEET,
    accessToken: env.SHEETOPS_E2E_ACCESS_TOKEN, identityToken: env.SHEETOPS_E2E_IDENTITY_TOKEN,
    locale: env.SHEETOPS_E2E_LOCALE || 'en', respond: realHttp});
  world.script.onOpen();
  const answer = world.script.sheetopsSyncNow();
  assert.equal(world.alerts.length, 0, JSON.stringify(world.alerts));
  assert.equal(answer.ok, true);
  fs.writeFileSync(env.SHEETOPS_E2E_OUT, JSON.stringify({answer, toasts: world.toasts}));
});
