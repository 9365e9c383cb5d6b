/**
 * The "sheetops" menu of this spreadsheet: Sync now, Check, Schedule Friday sync.
 *
 * Each item calls the sheetops service (`sheetops serve`, see docs/serve.md) with this
 * spreadsheet's id and your own Google access token; the service syncs the spreadsheet
 * as you, exactly as `sheetops sync URL` does, and holds no Google access of its own.
 * It checks who is calling with your Google identity token, or, if the Script Property
 * SHEETOPS_SECRET is set, with that shared secret.
 *
 * The service's address: the Script Property SHEETOPS_SERVICE_URL, else the line below
 * (filled in by `sheetops gsheets add-menu`).
 */
var SHEETOPS_SERVICE_URL = '';

var SHEETOPS_SYNC_HANDLER = 'sheetopsScheduledSync';

var SHEETOPS_TEXTS = {
  en: {
    syncNow: 'Sync now',
    check: 'Check',
    schedule: 'Schedule Friday sync',
    syncing: 'Syncing…',
    checking: 'Checking…',
    synced: 'Synced: {breaches} stop-rule breaches, {issues} data issues. The CMO Summary tab is up to date.',
    dryRun: 'Computed; nothing was written.',
    checked: 'Check: {findings} findings.',
    checkedClean: 'Check: everything is in order.',
    scheduled: 'Every Friday at about 17:00 ({zone}) this spreadsheet will be synced as you.',
    replaced: 'The earlier Friday sync was replaced.',
    noService: 'The sheetops service address is not set: add the Script Property SHEETOPS_SERVICE_URL ' +
      '(Extensions > Apps Script > Project Settings).',
    unreachable: 'The sheetops service at {url} cannot be reached: {reason}',
    notSignedIn: 'The sheetops service did not accept this script\'s sign-in ({error}). Ask whoever runs ' +
      'the service to check its --audience (or the shared secret).',
    notAllowed: 'The sheetops service does not let {email} in. Ask whoever runs it to add you to --allow.',
    tooMany: 'Too many requests; try again in {seconds} seconds.',
    failed: 'sheetops could not finish: {message}'
  },
  ru: {
    syncNow: 'Синхронизировать',
    check: 'Проверить',
    schedule: 'Синхронизация по пятницам',
    syncing: 'Синхронизация…',
    checking: 'Проверка…',
    synced: 'Готово: нарушений стоп-правил — {breaches}, проблем в данных — {issues}. Вкладка «Сводка CMO» обновлена.',
    dryRun: 'Посчитано; ничего не записано.',
    checked: 'Проверка: замечаний — {findings}.',
    checkedClean: 'Проверка: всё в порядке.',
    scheduled: 'Каждую пятницу около 17:00 ({zone}) таблица будет синхронизироваться от вашего имени.',
    replaced: 'Прежнее расписание на пятницу заменено.',
    noService: 'Не задан адрес сервиса sheetops: добавьте свойство скрипта SHEETOPS_SERVICE_URL ' +
      '(Расширения > Apps Script > Настройки проекта).',
    unreachable: 'Сервис sheetops по адресу {url} недоступен: {reason}',
    notSignedIn: 'Сервис sheetops не принял вход этого скрипта ({error}). Попросите администратора сервиса ' +
      'проверить --audience (или общий секрет).',
    notAllowed: 'Сервис sheetops не пускает {email}. Попросите администратора добавить вас в --allow.',
    tooMany: 'Слишком много запросов; попробуйте через {seconds} с.',
    failed: 'sheetops не смог завершить работу: {message}'
  }
};

function onOpen() {
  var t = sheetopsTexts_();
  SpreadsheetApp.getUi()
    .createMenu('sheetops')
    .addItem(t.syncNow, 'sheetopsSyncNow')
    .addItem(t.check, 'sheetopsCheck')
    .addSeparator()
    .addItem(t.schedule, 'sheetopsScheduleFriday')
    .addToUi();
}

function sheetopsSyncNow() {
  return sheetopsCall_('sync', true);
}

function sheetopsCheck() {
  return sheetopsCall_('check', true);
}

/** What the Friday trigger runs: no dialogs (there is nobody to see them); a failure is
 * thrown, so Google e-mails the trigger's owner. */
function sheetopsScheduledSync() {
  return sheetopsCall_('sync', false);
}

function sheetopsScheduleFriday() {
  var t = sheetopsTexts_();
  var replaced = false;
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === SHEETOPS_SYNC_HANDLER) {
      ScriptApp.deleteTrigger(trigger);
      replaced = true;
    }
  });
  // 17:00 in the spreadsheet's time zone (a trigger otherwise keeps the script's own).
  var zone = SpreadsheetApp.getActiveSpreadsheet().getSpreadsheetTimeZone();
  ScriptApp.newTrigger(SHEETOPS_SYNC_HANDLER)
    .timeBased()
    .onWeekDay(ScriptApp.WeekDay.FRIDAY)
    .atHour(17)
    .inTimezone(zone)
    .create();
  var text = sheetopsFormat_(t.scheduled, {zone: zone}) + (replaced ? ' ' + t.replaced : '');
  SpreadsheetApp.getUi().alert('sheetops', text, SpreadsheetApp.getUi().ButtonSet.OK);
  return text;
}

function sheetopsCall_(job, interactive) {
  var t = sheetopsTexts_();
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var properties = PropertiesService.getScriptProperties();
  var base = (properties.getProperty('SHEETOPS_SERVICE_URL') || SHEETOPS_SERVICE_URL || '').replace(/\/+$/, '');
  if (!base) {
    return sheetopsFail_(t.noService, interactive);
  }
  if (interactive) {
    spreadsheet.toast(job === 'sync' ? t.syncing : t.checking, 'sheetops', 30);
  }
  var secret = properties.getProperty('SHEETOPS_SECRET');
  var response;
  try {
    response = UrlFetchApp.fetch(base + '/' + job, {
      method: 'post',
      contentType: 'application/json',
      headers: {Authorization: 'Bearer ' + (secret || ScriptApp.getIdentityToken())},
      payload: JSON.stringify({spreadsheet: spreadsheet.getId(), access_token: ScriptApp.getOAuthToken()}),
      muteHttpExceptions: true
    });
  } catch (error) {
    return sheetopsFail_(sheetopsFormat_(t.unreachable, {url: base, reason: String(error.message || error)}),
      interactive);
  }
  var status = response.getResponseCode();
  var body;
  try {
    body = JSON.parse(response.getContentText());
  } catch (error) {
    body = {ok: false, error: 'http_' + status, message: 'HTTP ' + status};
  }
  if (status === 200 && body.ok) {
    var text = sheetopsSummary_(job, body.report, t);
    if (interactive) {
      spreadsheet.toast(text, 'sheetops', 15);
    }
    return body;
  }
  var message;
  if (status === 401) {
    message = sheetopsFormat_(t.notSignedIn, {error: body.error});
  } else if (status === 403 && body.error === 'caller_not_allowed') {
    message = sheetopsFormat_(t.notAllowed, {email: Session.getEffectiveUser().getEmail()});
  } else if (status === 429) {
    message = sheetopsFormat_(t.tooMany, {seconds: body.retry_after || 60});
  } else {
    message = sheetopsFormat_(t.failed, {message: body.message || ('HTTP ' + status)});
  }
  sheetopsFail_(message, interactive);
  return body;
}

function sheetopsSummary_(job, report, t) {
  if (job === 'check') {
    var findings = (report.findings || []).length;
    return findings ? sheetopsFormat_(t.checked, {findings: findings}) : t.checkedClean;
  }
  if (!report.written) {
    return t.dryRun;
  }
  return sheetopsFormat_(t.synced, {breaches: (report.breaches || []).length, issues: (report.issues || []).length});
}

function sheetopsFail_(message, interactive) {
  if (!interactive) {
    throw new Error(message);
  }
  var ui = SpreadsheetApp.getUi();
  ui.alert('sheetops', message, ui.ButtonSet.OK);
  return {ok: false, message: message};
}

function sheetopsTexts_() {
  var locale = String(Session.getActiveUserLocale() || 'en').toLowerCase();
  return SHEETOPS_TEXTS[locale.slice(0, 2)] || SHEETOPS_TEXTS.en;
}

function sheetopsFormat_(text, values) {
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}
