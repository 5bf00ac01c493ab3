// Vigile's moderators' console. Data from the API reaches the page only through
// textContent and attributes set one by one (never innerHTML), and the server's
// Content-Security-Policy allows no inline script: a comment's text is always text.
'use strict';

const state = { csrf: null, user: null, tenants: [], tenant: null, office: '', timers: [] };
const $ = (id) => document.getElementById(id);

// Builds an element; children are nodes or strings (strings become text nodes).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c);
  return node;
}
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function say(text, error) {
  $('status').textContent = text || '';
  $('status').className = error ? 'error' : '';
}

async function api(path, body) {
  const opts = { credentials: 'same-origin', headers: {} };
  if (body) {
    opts.method = 'POST';
    opts.headers['Content-Type'] = 'application/json';
    if (state.csrf) opts.headers['X-CSRF-Token'] = state.csrf;
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const doc = await res.json().catch(() => ({ error: 'risposta illeggibile' }));
  if (res.status === 401 && path !== '/api/login') showLogin();
  if (!res.ok) throw new Error(doc.error || ('errore ' + res.status));
  return doc;
}
const q = (path, args) => path + '?' + new URLSearchParams(args).toString();

const fmt = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
const day = new Intl.DateTimeFormat('it-IT', { day: '2-digit', month: '2-digit', timeZone: 'Europe/Rome' });
const when = (ms) => (ms === null || ms === undefined) ? '—' : fmt.format(new Date(ms));

const LABELS = {
  ack: 'presa in carico', reply: 'risposta', resolve: 'chiusura', confirm: 'conferma',
  overturn: 'annullamento', take_charge: 'presa in carico', response: 'risposta',
  none: 'nessuna', hide: 'nascondi', delete: 'elimina', hold: 'trattieni', escalate: 'inoltra',
  automated: 'automatica', confirmed: 'confermata', overturned: 'annullata',
  warn: 'avvertimento', temp_ban: 'sospensione', ban: 'blocco', review: 'da rivedere', ticket: 'ticket',
  unhide: 'ripristina', unban: 'sblocco', report: 'segnalazione',
  done: 'eseguita', skipped: 'non inviata (prova)', failed_permanent: 'rifiutata dalla piattaforma',
  handed_to_operator: 'da fare a mano', shadow: 'prova', live: 'reale',
};
const label = (k) => LABELS[k] || k || '—';

// ---- countdown: each element with data-due counts down to its instant
function countdown(node, due) {
  const tick = () => {
    const left = due - Date.now();
    const abs = Math.abs(left), h = Math.floor(abs / 3600000), m = Math.floor(abs / 60000) % 60;
    node.textContent = (left < 0 ? 'scaduto da ' : 'mancano ') + h + ' h ' + m + ' min';
    node.className = 'due' + (left < 0 ? ' late' : left < 3600000 ? ' soon' : '');
  };
  tick();
  state.timers.push(setInterval(tick, 1000));
}
function clearTimers() { state.timers.forEach(clearInterval); state.timers = []; }

// ---- evidence: the spans are UTF-8 byte offsets into the text
function highlighted(text, categories) {
  const bytes = new TextEncoder().encode(text || '');
  const spans = [];
  for (const c of categories || [])
    for (const s of c.spans || [])
      if (s.end <= bytes.length && s.start < s.end && c.category !== 'personal_data') spans.push(s);
  spans.sort((a, b) => a.start - b.start);
  const dec = new TextDecoder(), out = el('div', { class: 'text' });
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // overlapping evidence: the first span shows it
    out.append(dec.decode(bytes.slice(at, s.start)), el('mark', {}, dec.decode(bytes.slice(s.start, s.end))));
    at = s.end;
  }
  out.append(dec.decode(bytes.slice(at)));
  return out;
}

function categoryList(d) {
  return el('ul', {}, (d.categories || []).map((c) => el('li', {},
    el('span', { class: 'tag' }, c.category), ' ', (c.rule_ids || [c.rule_id]).join(', '),
    c.quoted ? ' (citazione)' : '', el('div', { class: 'meta' }, c.policy_ref))));
}

// ---- views
// A removal that waits for a moderator: what "Conferma" would apply (decision.proposed).
function proposal(d) {
  if (!d.proposed || d.status !== 'automated') return null;
  return el('p', { class: 'proposal' }, 'Proposta in attesa di verifica: ' + label(d.proposed.action) +
    ' per ' + d.proposed.category + '. «Conferma» la applica, «Annulla» la respinge.');
}

function show(view) {
  clearTimers();
  $('login').hidden = true;
  $('view').hidden = false;
  $('view').replaceChildren(...view.flat(Infinity).filter((n) => n !== null));
  $('main').focus();
}

function queueItem(it) {
  const d = it.decision || {}, t = it.ticket || {};
  const due = it.due_ms !== null ? el('span', { role: 'timer' }) : el('span', { class: 'meta' }, 'senza scadenza');
  if (it.due_ms !== null) countdown(due, it.due_ms);
  return el('article', { class: 'card' },
    el('h3', {}, el('a', { href: '#/voce/' + encodeURIComponent(it.decision_id) },
      label(it.kind) + ' · ' + (it.office ? 'ufficio ' + it.office : 'moderazione') + ' · ' + it.decision_id)),
    el('p', { class: 'meta' }, 'scadenza ' + label(it.due_timer) + ': ', due,
      it.breaches ? ' · ' + it.breaches + ' violazioni SLA' : '',
      ' · ricevuto ' + when(it.received_ms) + (it.taken_ms ? ' · in carico dal ' + when(it.taken_ms) : '')),
    highlighted(d.redacted_text || t.redacted_text, d.categories),
    el('p', {}, (d.categories || []).map((c) => el('span', { class: 'tag' }, c.category))),
    d.statement_of_reasons ? el('p', { class: 'meta' }, d.statement_of_reasons) : null,
    proposal(d),
    it.kind === 'ticket' && !it.taken_ms ? el('div', { class: 'actions' },
      actionButton('Prendi in carico', '', () => act('ack', { ticket_id: it.ticket_id }).then(later))) : null);
}

// The queue, optionally of one office (an office's staff see their own tickets).
async function viewQueue() {
  const doc = await api(q('/api/queue', { tenant: state.tenant }));
  const offices = [...new Set(doc.items.map((it) => it.office).filter((o) => o))].sort();
  const list = el('div', { id: 'queue-items' });
  const pick = el('select', { id: 'office', on: { change: () => {
    state.office = pick.value;
    fill();
  } } }, el('option', { value: '' }, 'tutti gli uffici'),
  offices.map((o) => el('option', { value: o, selected: o === state.office }, o)));
  const fill = () => {
    clearTimers();
    const items = doc.items.filter((it) => !state.office || it.office === state.office);
    list.replaceChildren(...(items.length ? items.map(queueItem) : [el('p', {}, 'Nessuna voce in coda.')]));
  };
  show([el('h2', {}, 'Coda — ' + tenantName()),
    el('p', {}, el('label', { for: 'office' }, 'Ufficio '), pick), list]);
  fill();
}

function actionButton(text, cls, fn) {
  return el('button', { type: 'button', class: cls, on: { click: fn } }, text);
}

async function act(type, target, note) {
  const body = Object.assign({ tenant: state.tenant, type }, target);
  if (note) body.note = note;
  await api('/api/action', body);
  say('Azione «' + label(type) + '» inviata.');
}

// The read model hears of an action from vigile.operator, a moment after the broker
// acknowledged it: the view is read again then.
function later() { setTimeout(route, 1000); }

async function ticketPanel(t) {
  const tpl = await api(q('/api/templates', { tenant: state.tenant, office: t.office }));
  const text = el('textarea', { id: 'reply-' + t.ticket_id, 'aria-label': 'Testo della risposta' });
  const pick = el('select', { 'aria-label': 'Modello di risposta', on: { change: () => {
    const found = tpl.templates.find((x) => x.id === pick.value);
    if (found) text.value = found.text;
  } } }, el('option', { value: '' }, 'Modello…'), tpl.templates.map((x) => el('option', { value: x.id }, x.id)));
  const target = { ticket_id: t.ticket_id };
  return el('div', { class: 'card' },
    el('h3', {}, 'Ticket ' + t.ticket_id + ' · ufficio ' + t.office),
    el('p', { class: 'meta' }, 'presa in carico entro ' + when(t.take_due) + ' · risposta entro ' + when(t.response_due) +
      ' · in carico ' + when(t.taken_ms) + ' · risposto ' + when(t.replied_ms) + ' · chiuso ' + when(t.resolved_ms)),
    el('div', { class: 'field' }, el('label', {}, 'Risposta'), pick, text),
    el('div', { class: 'actions' },
      actionButton('Prendi in carico', '', () => act('ack', target).then(later)),
      actionButton('Invia risposta', '', () => act('reply', target, text.value).then(later)),
      actionButton('Chiudi', 'secondary', () => act('resolve', target).then(later))));
}

function historyTable(rows, cols) {
  return el('table', {}, el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, c[0])))),
    el('tbody', {}, rows.map((r) => el('tr', {}, cols.map((c) => el('td', {}, c[1](r)))))));
}

async function viewItem(id) {
  const doc = await api(q('/api/decision', { tenant: state.tenant, id }));
  const d = doc.decision, target = { decision_id: d.decision_id };
  const note = el('textarea', { id: 'verdict-note', 'aria-label': 'Motivazione (facoltativa)' });
  const tickets = await Promise.all((doc.tickets || []).map(ticketPanel));
  show([el('h2', {}, 'Decisione ' + d.decision_id),
    el('p', { class: 'meta' }, d.platform + ' · ' + label(d.kind) + ' · del ' + when(Date.parse(d.content_date)) +
      ' · azione ' + label(d.action) + ' · stato ' + label(d.status) + (d.reviewed_by ? ' (' + d.reviewed_by + ')' : '') +
      ' · revisione ' + d.revision),
    highlighted(d.redacted_text, d.categories),
    el('h3', {}, 'Categorie, regole e clausole'), categoryList(d),
    el('h3', {}, 'Motivazione'), el('p', {}, d.statement_of_reasons || 'Nessuna restrizione.'), proposal(d),
    el('p', {}, 'Autore: ', el('a', { href: '#/autore/' + encodeURIComponent(d.author) }, d.author),
      ' · passo ' + label(d.enforcement.step) + ', ' + d.enforcement.strikes + ' ammonizioni'),
    el('div', { class: 'card' }, el('h3', {}, 'Verifica della decisione'),
      el('div', { class: 'field' }, el('label', { for: 'verdict-note' }, 'Motivazione (facoltativa)'), note),
      el('div', { class: 'actions' },
        actionButton('Conferma', '', () => act('confirm', target, note.value).then(later)),
        actionButton('Annulla la decisione (ricorso accolto)', 'danger', () => act('overturn', target, note.value).then(later)))),
    tickets,
    el('h3', {}, 'Azioni degli operatori'),
    historyTable(doc.actions, [['Quando', (r) => when(r.at_ms)], ['Chi', (r) => r.operator],
      ['Cosa', (r) => label(r.type)], ['Nota', (r) => r.note || '']]),
    el('h3', {}, 'Esecuzione sulle piattaforme'),
    historyTable(doc.platform, [['Quando', (r) => when(r.finished_ms)], ['Comando', (r) => label(r.type)],
      ['Piattaforma', (r) => r.platform + ' (' + label(r.mode) + ')'], ['Esito', (r) => label(r.outcome)],
      ['Tentativi', (r) => String(r.attempts)], ['Perché', (r) => r.reason || '']]),
    el('h3', {}, 'Eventi SLA'),
    historyTable(doc.sla, [['Quando', (r) => when(r.fired_ms)], ['Scadenza', (r) => label(r.timer) + ' ' + when(r.due_ms)],
      ['Evento', (r) => r.type]])]);
}

async function viewAuthor(p) {
  const doc = await api(q('/api/author', { tenant: state.tenant, id: p }));
  const s = doc.standing;
  show([el('h2', {}, 'Storico dell\'autore ' + p),
    el('p', {}, s ? 'Ammonizioni nella finestra: ' + s.strikes + ' · passo ' + label(s.step) +
      (s.ban_until ? ' · bloccato fino al ' + when(Date.parse(s.ban_until)) : s.step === 'ban' ? ' · blocco senza scadenza' : '')
      : 'Nessuna decisione in vigore.'),
    historyTable(doc.decisions, [['Data', (r) => when(r.first_ms)],
      ['Decisione', (r) => el('a', { href: '#/voce/' + encodeURIComponent(r.decision_id) }, r.decision_id)],
      ['Categorie', (r) => r.categories || ''], ['Azione', (r) => label(r.action)], ['Stato', (r) => label(r.status)],
      ['Testo', (r) => r.redacted_text || '']])]);
}

const COLORS = ['#0b5cad', '#b00020', '#1d7a3a', '#a35200', '#6a3d9a', '#00838f', '#5b6470', '#c2185b'];

// Bars per day, stacked by key; drawn as SVG so that nothing but the page's code draws.
function stackedChart(rows, key, from) {
  const keys = [...new Set(rows.map((r) => r[key]))].sort();
  const totals = new Array(30).fill(0);
  for (const r of rows) totals[Math.round((r.day_ms - from) / 86400000)] += r.n;
  const max = Math.max(1, ...totals), W = 600, H = 120, bw = W / 30;
  const chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + (H + 20), class: 'chart', role: 'img',
    'aria-label': 'Conteggi per giorno per ' + (key === 'category' ? 'categoria' : 'azione') });
  const base = new Array(30).fill(0);
  for (const r of rows.slice().sort((a, b) => keys.indexOf(a[key]) - keys.indexOf(b[key]))) {
    const i = Math.round((r.day_ms - from) / 86400000), h = (r.n / max) * H;
    base[i] += h;
    chart.append(svg('rect', { x: i * bw + 1, y: H - base[i], width: bw - 2, height: h,
      fill: COLORS[keys.indexOf(r[key]) % COLORS.length] }, svg('title', {}, day.format(new Date(r.day_ms)) + ' ' + r[key] + ': ' + r.n)));
  }
  // labels at noon: a daylight-saving change in the window moves midnights by an hour
  for (let i = 0; i < 30; i += 5)
    chart.append(svg('text', { x: i * bw, y: H + 15, 'font-size': 11 }, day.format(new Date(from + i * 86400000 + 43200000))));
  const legend = el('p', { class: 'legend' }, keys.map((k, i) => el('span', {},
    svg('svg', { width: 10, height: 10, class: 'swatch' }, svg('rect', { width: 10, height: 10, fill: COLORS[i % COLORS.length] })),
    label(k) + ' (' + rows.filter((r) => r[key] === k).reduce((a, r) => a + r.n, 0) + ')')));
  return [chart, legend];
}

async function viewDays() {
  const doc = await api(q('/api/days', { tenant: state.tenant }));
  const s = doc.sla;
  show([el('h2', {}, 'Ultimi 30 giorni — ' + tenantName()),
    el('h3', {}, 'Decisioni per categoria'), stackedChart(doc.categories, 'category', doc.from_ms),
    el('h3', {}, 'Decisioni per azione'), stackedChart(doc.actions, 'action', doc.from_ms),
    el('h3', {}, 'Tempi di risposta (SLA)'),
    historyTable([s], [['Ticket', (r) => String(r.tickets)], ['Presi in carico in tempo', (r) => String(r.taken_on_time || 0)],
      ['Risposti in tempo', (r) => String(r.answered_on_time || 0)], ['Scadenze mancate', (r) => String(r.breaches)]])]);
}

async function viewAudit() {
  const doc = await api(q('/api/audit', { tenant: state.tenant }));
  show([el('h2', {}, 'Registro delle azioni — ' + tenantName()),
    historyTable(doc.actions, [['Quando', (r) => when(r.at_ms)], ['Chi', (r) => r.operator], ['Cosa', (r) => label(r.type)],
      ['Decisione', (r) => r.decision_id ? el('a', { href: '#/voce/' + encodeURIComponent(r.decision_id) }, r.decision_id) : ''],
      ['Ticket', (r) => r.ticket_id || ''], ['Nota', (r) => r.note || '']])]);
}

// An editor's draft against the tenant's policy, before publishing (POST /api/check).
function viewDraft() {
  const text = el('textarea', { id: 'draft-text' });
  const result = el('div', { id: 'draft-result', 'aria-live': 'polite' });
  const run = async (ev) => {
    ev.preventDefault();
    try {
      const doc = await api('/api/check', { tenant: state.tenant, text: text.value });
      result.replaceChildren(...[
        el('h3', {}, doc.ok ? 'Nessun problema rispetto alla policy per i redattori.' : 'Problemi da correggere'),
        el('ul', {}, doc.problems.map((p) => el('li', {}, el('span', { class: 'tag' }, p.category), ' ',
          p.evidence.map((e, i) => [i ? ' … ' : '', el('mark', {}, e)]), el('div', { class: 'meta' }, p.policy_ref)))),
        doc.personal_data.length ? el('p', {}, 'Dati personali che verrebbero oscurati: ' + doc.personal_data.join(', ')) : null,
        el('h3', {}, 'Testo con i dati personali oscurati'), el('div', { class: 'text' }, doc.redacted_text),
        doc.other_labels.length ? el('p', { class: 'meta' }, 'Altre categorie rilevate, non vietate ai redattori: ' + doc.other_labels.join(', ')) : null,
      ].filter((n) => n !== null));
    } catch (e) { say(e.message, true); }
  };
  show([el('h2', {}, 'Verifica una bozza — ' + tenantName()),
    el('form', { on: { submit: run } }, el('label', { for: 'draft-text' }, 'Testo del post da pubblicare'), text,
      el('button', { type: 'submit' }, 'Verifica')), result]);
}

function tenantName() {
  const t = state.tenants.find((x) => x.id === state.tenant);
  return t ? t.name : state.tenant;
}

async function route() {
  if (!state.user) return;
  const [, view, arg] = (location.hash || '#/coda').split('/').map(decodeURIComponent);
  try {
    if (view === 'voce') await viewItem(arg);
    else if (view === 'autore') await viewAuthor(arg);
    else if (view === 'giorni') await viewDays();
    else if (view === 'registro') await viewAudit();
    else if (view === 'bozza') viewDraft();
    else await viewQueue();
  } catch (e) { say(e.message, true); }
}

function showLogin() {
  state.user = null;
  $('nav').hidden = true;
  $('view').hidden = true;
  $('login').hidden = false;
  $('user').focus();
}

function signedIn(doc) {
  Object.assign(state, { csrf: doc.csrf, user: doc.user, tenants: doc.tenants });
  state.tenant = doc.tenants.some((t) => t.id === sessionStorage.tenant) ? sessionStorage.tenant
    : (doc.tenants[0] || {}).id;
  $('tenant').replaceChildren(...doc.tenants.map((t) => el('option', { value: t.id, selected: t.id === state.tenant },
    t.name + ' (' + t.role + ')')));
  $('nav').hidden = false;
  if (!state.tenant) return say('Nessun comune assegnato a questo utente.', true);
  say('');
  route();
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      signedIn(await api('/api/login', { user: $('user').value, password: $('password').value }));
      $('password').value = '';
    } catch (e) { say(e.message, true); }
  });
  $('logout').addEventListener('click', async () => {
    await api('/api/logout', {}).catch(() => null);
    showLogin();
  });
  $('tenant').addEventListener('change', () => {
    state.tenant = sessionStorage.tenant = $('tenant').value;
    state.office = '';
    route();
  });
  window.addEventListener('hashchange', () => { say(''); route(); });
  api('/api/session').then(signedIn, showLogin);
});
