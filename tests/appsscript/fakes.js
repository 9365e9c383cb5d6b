'use strict';
/*
 * Small fakes of the Apps Script services the sheetops menu uses. Each checks its
 * arguments the way Google's reference documents them (developers.google.com/apps-script/
 * reference: SpreadsheetApp, Ui, Menu, UrlFetchApp, ScriptApp, ClockTriggerBuilder,
 * PropertiesService, Session) and records what the script did. `load()` runs the
 * project's code files in a fresh V8 context with these globals, as Apps Script does.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const {execFileSync} = require('node:child_process');

const PROJECT = path.join(__dirname, '..', '..', 'sheetops', 'appsscript');
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const FETCH_PARAMS = new Set(['contentType', 'headers', 'method', 'payload', 'useIntranet',
  'validateHttpsCertificates', 'followRedirects', 'muteHttpExceptions', 'escaping']);
const METHODS = new Set(['get', 'delete', 'patch', 'post', 'put']);

function fail(message) {
  throw new Error(message);
}

function requireString(value, what) {
  if (typeof value !== 'string' || value === '') fail(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
}

/** The world a script runs in; `options` set the spreadsheet, properties, locale, answers. */
function makeWorld(options = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT, 'appsscript.json'), 'utf8'));
  const scopes = new Set(manifest.oauthScopes || []);
  const world = {
    menus: [], toasts: [], alerts: [], fetches: [], triggers: [], deleted: [],
    properties: Object.assign({}, options.properties || {}),
    locale: options.locale === undefined ? 'en' : options.locale,
    interactive: options.interactive !== false,
    spreadsheetId: options.spreadsheetId || '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG',
    timeZone: options.timeZone || 'Europe/Berlin',
    accessToken: options.accessToken || 'ya29.fake-access-token',
    identityToken: options.identityToken || 'eyJfake.identity.token',
    email: options.email || 'anna@company.example',
    respond: options.respond || (() => ({status: 200, text: '{"ok": true, "report": {}}'})),
  };
  let nextTrigger = 1;

  function needScope(scope, method) {
    if (!scopes.has(scope)) fail(`${method} needs the scope ${scope} in appsscript.json`);
  }

  const ButtonSet = Object.freeze({OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL'});
  const ui = {
    ButtonSet,
    Button: Object.freeze({OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE'}),
    createMenu(caption) {
      requireString(caption, 'Ui.createMenu(caption)');
      const menu = {caption, items: [], added: false};
      const builder = {
        addItem(itemCaption, functionName) {
          requireString(itemCaption, 'Menu.addItem(caption)');
          requireString(functionName, 'Menu.addItem(functionName)');
          menu.items.push({caption: itemCaption, functionName});
          return builder;
        },
        addSeparator() {
          menu.items.push({separator: true});
          return builder;
        },
        addToUi() {
          menu.added = true;
          world.menus.push(menu);
        },
      };
      return builder;
    },
    alert(...args) {
      // alert(prompt), alert(prompt, buttons), alert(title, prompt, buttons)
      if (args.length < 1 || args.length > 3) fail('Ui.alert takes 1 to 3 arguments');
      let title = null;
      let prompt = args[0];
      let buttons = 'OK';
      if (args.length === 2) buttons = args[1];
      if (args.length === 3) [title, prompt, buttons] = args;
      requireString(prompt, 'Ui.alert(prompt)');
      if (!Object.values(ButtonSet).includes(buttons)) fail(`Ui.alert: ${buttons} is not a ButtonSet`);
      world.alerts.push({title, prompt, buttons});
      return 'OK';
    },
  };

  const spreadsheet = {
    getId: () => world.spreadsheetId,
    getSpreadsheetTimeZone: () => world.timeZone,
    toast(msg, title, timeoutSeconds) {
      requireString(msg, 'Spreadsheet.toast(msg)');
      if (title !== undefined) requireString(title, 'Spreadsheet.toast(title)');
      if (timeoutSeconds !== undefined && typeof timeoutSeconds !== 'number') fail('toast: timeoutSeconds is a number');
      world.toasts.push({msg, title, timeoutSeconds});
    },
  };

  const SpreadsheetApp = {
    getActiveSpreadsheet: () => spreadsheet,
    getUi() {
      if (!world.interactive) fail('Exception: Cannot call SpreadsheetApp.getUi() from this context.');
      needScope('https://www.googleapis.com/auth/script.container.ui', 'SpreadsheetApp.getUi');
      return ui;
    },
  };

  function httpResponse(answer) {
    return {
      getResponseCode: () => answer.status,
      getContentText: () => answer.text,
      getHeaders: () => Object.assign({}, answer.headers || {}),
    };
  }

  const UrlFetchApp = {
    fetch(url, params) {
      needScope('https://www.googleapis.com/auth/script.external_request', 'UrlFetchApp.fetch');
      requireString(url, 'UrlFetchApp.fetch(url)');
      if (!/^https?:\/\//.test(url)) fail(`UrlFetchApp.fetch: ${url} is not an http(s) URL`);
      params = params || {};
      for (const key of Object.keys(params)) {
        if (!FETCH_PARAMS.has(key)) fail(`UrlFetchApp.fetch: unknown parameter ${key}`);
      }
      const method = String(params.method || 'get').toLowerCase();
      if (!METHODS.has(method)) fail(`UrlFetchApp.fetch: method ${params.method}`);
      if (params.payload !== undefined && typeof params.payload !== 'string') {
        fail('UrlFetchApp.fetch: this script sends its payload as a string');
      }
      const headers = Object.assign({}, params.headers || {});
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === 'content-type') fail('UrlFetchApp.fetch: set contentType, not a Content-Type header');
        if (typeof headers[name] !== 'string') fail(`UrlFetchApp.fetch: header ${name} must be a string`);
      }
      if (params.contentType !== undefined) headers['Content-Type'] = params.contentType;
      const request = {url, method, headers, payload: params.payload, muteHttpExceptions: !!params.muteHttpExceptions};
      world.fetches.push(request);
      const answer = world.respond(request);
      if (answer.error) fail(answer.error); // DNS failure, refused connection...
      if (answer.status >= 400 && !request.muteHttpExceptions) {
        fail(`Request failed for ${url} returned code ${answer.status}.`);
      }
      return httpResponse(answer);
    },
  };

  function clockBuilder(functionName) {
    const spec = {functionName, weekDay: null, hour: null, timeZone: null};
    const builder = {
      onWeekDay(day) {
        if (!WEEKDAYS.includes(day)) fail(`ClockTriggerBuilder.onWeekDay: ${day} is not a ScriptApp.WeekDay`);
        spec.weekDay = day;
        return builder;
      },
      atHour(hour) {
        if (!Number.isInteger(hour) || hour < 0 || hour > 23) fail(`ClockTriggerBuilder.atHour: ${hour} is not 0-23`);
        spec.hour = hour;
        return builder;
      },
      inTimezone(timeZone) {
        // a time zone id as in the tz database (Europe/Berlin, Etc/GMT)
        if (typeof timeZone !== 'string' || !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) {
          fail(`ClockTriggerBuilder.inTimezone: ${timeZone} is not a time zone id`);
        }
        spec.timeZone = timeZone;
        return builder;
      },
      create() {
        if (spec.hour !== null && spec.weekDay === null) fail('atHour needs onWeekDay, everyDays or everyWeeks');
        if (typeof context[functionName] !== 'function') fail(`no function ${functionName} in the project`);
        if (world.triggers.length >= 20) fail('This script has too many triggers (20 per user per script).');
        const trigger = {
          id: String(nextTrigger++), functionName, weekDay: spec.weekDay, hour: spec.hour, timeZone: spec.timeZone,
          getHandlerFunction: () => functionName,
          getUniqueId: () => trigger.id,
          getEventType: () => 'CLOCK',
          getTriggerSource: () => 'CLOCK',
        };
        world.triggers.push(trigger);
        return trigger;
      },
    };
    return builder;
  }

  const ScriptApp = {
    WeekDay: Object.freeze(Object.fromEntries(WEEKDAYS.map((d) => [d, d]))),
    newTrigger(functionName) {
      needScope('https://www.googleapis.com/auth/script.scriptapp', 'ScriptApp.newTrigger');
      requireString(functionName, 'ScriptApp.newTrigger(functionName)');
      return {timeBased: () => clockBuilder(functionName)};
    },
    getProjectTriggers: () => world.triggers.slice(),
    deleteTrigger(trigger) {
      const at = world.triggers.indexOf(trigger);
      if (at < 0) fail('ScriptApp.deleteTrigger: not a trigger of this project');
      world.triggers.splice(at, 1);
      world.deleted.push(trigger);
    },
    getOAuthToken: () => world.accessToken,
    getIdentityToken() {
      if (!scopes.has('openid')) fail('getIdentityToken needs the openid scope in appsscript.json');
      return world.identityToken;
    },
  };

  const PropertiesService = {
    getScriptProperties: () => ({
      getProperty(key) {
        requireString(key, 'Properties.getProperty(key)');
        return Object.prototype.hasOwnProperty.call(world.properties, key) ? world.properties[key] : null;
      },
    }),
  };

  const Session = {
    getActiveUserLocale: () => world.locale,
    getEffectiveUser: () => ({getEmail: () => world.email}),
  };

  const context = vm.createContext({SpreadsheetApp, UrlFetchApp, ScriptApp, PropertiesService, Session, JSON,
    Object, String, Number, Array, Error});
  for (const name of fs.readdirSync(PROJECT).filter((f) => f.endsWith('.js')).sort()) {
    const source = options.sources && options.sources[name] !== undefined
      ? options.sources[name] : fs.readFileSync(path.join(PROJECT, name), 'utf8');
    vm.runInContext(source, context, {filename: name});
  }
  world.script = context;
  return world;
}

/** An answer from a real HTTP server, fetched synchronously as UrlFetchApp does. */
function realHttp(request) {
  const program = `
    const r = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    fetch(r.url, {method: r.method.toUpperCase(), headers: r.headers, body: r.payload})
      .then(async (a) => process.stdout.write(JSON.stringify({status: a.status, text: await a.text(),
        headers: Object.fromEntries(a.headers)})))
      .catch((e) => process.stdout.write(JSON.stringify({error: 'Exception: ' + e.message})));`;
  const out = execFileSync(process.execPath, ['-e', program], {input: JSON.stringify(request), timeout: 120000});
  return JSON.parse(out.toString('utf8'));
}

module.exports = {makeWorld, realHttp, PROJECT};
