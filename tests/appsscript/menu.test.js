'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {makeWorld} = require('./fakes.js');

const URL = 'https://sheetops-abc-ew.a.run.app';

function answering(status, body) {
  return () => ({status, text: JSON.stringify(body)});
}

test('onOpen adds the sheetops menu with its three items', () => {
  const world = makeWorld();
  world.script.onOpen();
  assert.equal(world.menus.length, 1);
  assert.equal(world.menus[0].caption, 'sheetops');
  assert.deepEqual(world.menus[0].items, [
    {caption: 'Sync now', functionName: 'sheetopsSyncNow'},
    {caption: 'Check', functionName: 'sheetopsCheck'},
    {separator: true},
    {caption: 'Schedule Friday sync', functionName: 'sheetopsScheduleFriday'},
  ]);
  for (const item of world.menus[0].items.filter((i) => !i.separator)) {
    assert.equal(typeof world.script[item.functionName], 'function', item.functionName);
  }
});

test('the menu speaks the user\'s language', () => {
  const world = makeWorld({locale: 'ru_RU'});
  world.script.onOpen();
  assert.deepEqual(world.menus[0].items.filter((i) => !i.separator).map((i) => i.caption),
    ['Синхронизировать', 'Проверить', 'Синхронизация по пятницам']);
  const other = makeWorld({locale: 'pt-BR'});
  other.script.onOpen();
  assert.equal(other.menus[0].items[0].caption, 'Sync now');
});

test('Sync now posts the spreadsheet id and the user\'s tokens, then says what happened', () => {
  const world = makeWorld({properties: {SHEETOPS_SERVICE_URL: URL + '/'},
    respond: answering(200, {ok: true, report: {written: true, breaches: [{}, {}], issues: [{}]}})});
  world.script.sheetopsSyncNow();
  assert.equal(world.fetches.length, 1);
  const sent = world.fetches[0];
  assert.equal(sent.url, URL + '/sync');
  assert.equal(sent.method, 'post');
  assert.equal(sent.headers.Authorization, 'Bearer eyJfake.identity.token');
  assert.equal(sent.headers['Content-Type'], 'application/json');
  assert.equal(sent.muteHttpExceptions, true);
  assert.deepEqual(JSON.parse(sent.payload), {spreadsheet: world.spreadsheetId, access_token: 'ya29.fake-access-token'});
  assert.match(world.toasts.at(-1).msg, /^Synced: 2 stop-rule breaches, 1 data issues\./);
  assert.equal(world.alerts.length, 0);
});

test('with a shared secret in Script Properties the script sends it instead of an identity token', () => {
  const world = makeWorld({properties: {SHEETOPS_SERVICE_URL: URL, SHEETOPS_SECRET: 'the-secret'},
    respond: answering(200, {ok: true, report: {findings: []}})});
  world.script.sheetopsCheck();
  assert.equal(world.fetches[0].url, URL + '/check');
  assert.equal(world.fetches[0].headers.Authorization, 'Bearer the-secret');
  assert.equal(world.toasts.at(-1).msg, 'Check: everything is in order.');
});

test('the address written into the code is used when no Script Property is set', () => {
  const world = makeWorld({sources: {'Code.js': require('node:fs').readFileSync(
    require('node:path').join(require('./fakes.js').PROJECT, 'Code.js'), 'utf8')
    .replace("var SHEETOPS_SERVICE_URL = '';", `var SHEETOPS_SERVICE_URL = '${URL}';`)},
  respond: answering(200, {ok: true, report: {findings: [{}, {}]}})});
  world.script.sheetopsCheck();
  assert.equal(world.fetches[0].url, URL + '/check');
  assert.equal(world.toasts.at(-1).msg, 'Check: 2 findings.');
});

for (const [status, body, expected] of [
  [401, {ok: false, error: 'wrong_audience'}, /did not accept this script's sign-in \(wrong_audience\)/],
  [403, {ok: false, error: 'caller_not_allowed'}, /does not let anna@company.example in/],
  [429, {ok: false, error: 'rate_limited', retry_after: 7}, /try again in 7 seconds/],
  [422, {ok: false, error: 'workbook_unusable', message: 'the tab Daily is missing'}, /the tab Daily is missing/],
  [502, 'not json', /HTTP 502/],
]) {
  test(`an answer ${status} is shown in a dialog`, () => {
    const world = makeWorld({properties: {SHEETOPS_SERVICE_URL: URL},
      respond: () => ({status, text: typeof body === 'string' ? body : JSON.stringify(body)})});
    world.script.sheetopsSyncNow();
    assert.equal(world.alerts.length, 1);
    assert.equal(world.alerts[0].title, 'sheetops');
    assert.match(world.alerts[0].prompt, expected);
  });
}

test('without a service address nothing is sent and the dialog says where to set it', () => {
  const world = makeWorld();
  world.script.sheetopsSyncNow();
  assert.equal(world.fetches.length, 0);
  assert.match(world.alerts[0].prompt, /SHEETOPS_SERVICE_URL/);
});

test('a service that cannot be reached is named', () => {
  const world = makeWorld({properties: {SHEETOPS_SERVICE_URL: URL},
    respond: () => ({error: 'Exception: DNS error: ' + URL})});
  world.script.sheetopsSyncNow();
  assert.match(world.alerts[0].prompt, /cannot be reached: Exception: DNS error/);
});

test('Schedule Friday sync makes one weekly trigger at 17:00 and replaces an earlier one', () => {
  const world = makeWorld({locale: 'en'});
  world.script.sheetopsScheduleFriday();
  world.script.sheetopsScheduleFriday();
  assert.equal(world.triggers.length, 1);
  assert.equal(world.deleted.length, 1);
  const [trigger] = world.triggers;
  assert.deepEqual([trigger.functionName, trigger.weekDay, trigger.hour, trigger.timeZone],
    ['sheetopsScheduledSync', 'FRIDAY', 17, 'Europe/Berlin']);
  assert.match(world.alerts[0].prompt, /Every Friday at about 17:00 \(Europe\/Berlin\)/);
  assert.match(world.alerts[1].prompt, /The earlier Friday sync was replaced\./);
});

test('the Friday run shows no dialog and throws on failure, so Google e-mails the owner', () => {
  const ok = makeWorld({interactive: false, properties: {SHEETOPS_SERVICE_URL: URL},
    respond: answering(200, {ok: true, report: {written: true, breaches: [], issues: []}})});
  assert.equal(ok.script.sheetopsScheduledSync().ok, true);
  assert.equal(ok.toasts.length, 0);
  const failing = makeWorld({interactive: false, properties: {SHEETOPS_SERVICE_URL: URL},
    respond: answering(503, {ok: false, error: 'backend_failed', message: 'Google is busy'})});
  assert.throws(() => failing.script.sheetopsScheduledSync(), /Google is busy/);
});

test('the manifest asks for what the script uses, and no more', () => {
  const manifest = JSON.parse(require('node:fs').readFileSync(
    require('node:path').join(require('./fakes.js').PROJECT, 'appsscript.json'), 'utf8'));
  assert.equal(manifest.runtimeVersion, 'V8');
  assert.deepEqual([...manifest.oauthScopes].sort(), [
    'https://www.googleapis.com/auth/script.container.ui',
    'https://www.googleapis.com/auth/script.external_request',
    'https://www.googleapis.com/auth/script.scriptapp',
    'https://www.googleapis.com/auth/spreadsheets',
    'https://www.googleapis.com/auth/userinfo.email',
    'openid',
  ]);
});

test('the answer is shown in the user\'s language', () => {
  const world = makeWorld({locale: 'ru', properties: {SHEETOPS_SERVICE_URL: URL},
    respond: answering(200, {ok: true, report: {written: true, breaches: [{}], issues: []}})});
  world.script.sheetopsSyncNow();
  assert.equal(world.toasts[0].msg, 'Синхронизация…');
  assert.match(world.toasts.at(-1).msg, /^Готово: нарушений стоп-правил — 1, проблем в данных — 0\./);
  const refused = makeWorld({locale: 'ru', properties: {SHEETOPS_SERVICE_URL: URL},
    respond: answering(403, {ok: false, error: 'caller_not_allowed'})});
  refused.script.sheetopsCheck();
  assert.match(refused.alerts[0].prompt, /^Сервис sheetops не пускает anna@company.example/);
});
