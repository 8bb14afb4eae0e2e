// The inspector's page: a windowed list of flows (live over server-sent events), the open flow's diagram
// and hops, and one hop's detail. Data only ever goes into the page as text (textContent), never as HTML;
// the diagram's SVG comes from mermaid with securityLevel "strict".
'use strict';
(function () {
  const ROW = 40;
  const OVERSCAN = 8;
  const $ = (id) => document.getElementById(id);
  const list = $('flow-list');
  const spacer = $('flow-spacer');
  const summaries = new Map();
  let order = [];
  let active = 0;
  let openId = null;
  let openHop = null;
  let openHopDetail = null;
  let renderQueued = false;
  let refreshTimer = null;
  let diagramSeq = 0;

  if (window.mermaid) window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', sequence: { useMaxWidth: true, mirrorActors: false, wrap: true, width: 130, actorMargin: 30 } });

  const num = (id) => Number(id.slice(1));
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  };

  function resultMark(s) {
    if (s.result === 'completed') return el('span', { class: 'mark ok', text: '✓ completed' });
    if (s.result === 'failed') return el('span', { class: 'mark fail', text: `✗ failed at hop ${s.failedHop}` });
    return el('span', { class: 'mark pending', text: '… in progress' });
  }
  const took = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

  // ---- the flow list: only the rows in view exist in the DOM, so 1,000 flows cost what 20 do.
  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderList();
    });
  }

  function renderList() {
    spacer.style.height = `${order.length * ROW}px`;
    $('flow-count').textContent = `(${order.length})`;
    $('empty').hidden = order.length > 0;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(order.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + OVERSCAN);
    for (const node of [...list.querySelectorAll('.flow-item')]) node.remove();
    for (let i = first; i < last; i++) {
      const s = summaries.get(order[i]);
      const row = el(
        'div',
        {
          class: `flow-row flow-item${i === active ? ' active' : ''}`,
          role: 'option',
          id: `opt-${s.id}`,
          'data-id': s.id,
          'aria-selected': String(s.id === openId),
          'aria-posinset': String(i + 1),
          'aria-setsize': String(order.length),
          style: `top:${i * ROW}px`,
        },
        resultMark(s),
        el('span', { text: s.kind }),
        el('span', { text: s.provider || '?' }),
        el('span', { text: s.env || '?' }),
        el('span', { text: String(s.hops) }),
        el('span', { text: took(s.durationMs) }),
      );
      row.setAttribute('aria-label', `${s.kind} ${s.provider || ''} ${s.env || ''}, ${row.firstChild.textContent}, ${s.hops} hops`);
      list.append(row);
    }
    const current = order[active];
    list.setAttribute('aria-activedescendant', current ? `opt-${current}` : '');
  }

  function upsert(s) {
    const isNew = !summaries.has(s.id);
    summaries.set(s.id, s);
    if (isNew) {
      order.push(s.id);
      order.sort((a, b) => num(b) - num(a));
      const at = order.indexOf(s.id);
      // Keep what the reader is looking at where it is: a row added above the view pushes nothing down.
      if (at <= active && order.length > 1) active++;
      if (list.scrollTop > 0 && at * ROW < list.scrollTop + ROW) list.scrollTop += ROW;
      $('live').textContent = `new ${s.kind} flow ${s.provider || ''}`;
    }
    if (s.id === openId) scheduleRefresh();
    queueRender();
  }

  function remove(id) {
    if (!summaries.delete(id)) return;
    const at = order.indexOf(id);
    order.splice(at, 1);
    if (at < active) active--;
    active = Math.min(active, Math.max(0, order.length - 1));
    queueRender();
  }

  list.addEventListener('scroll', queueRender, { passive: true });
  list.addEventListener('click', (e) => {
    const row = e.target.closest('.flow-item');
    if (!row) return;
    active = order.indexOf(row.dataset.id);
    openFlow(row.dataset.id);
  });
  list.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(list.clientHeight / ROW) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      e.preventDefault();
      active = Math.max(0, Math.min(order.length - 1, active + moves[e.key]));
      if (active * ROW < list.scrollTop) list.scrollTop = active * ROW;
      else if ((active + 1) * ROW > list.scrollTop + list.clientHeight) list.scrollTop = (active + 1) * ROW - list.clientHeight;
      queueRender();
    } else if ((e.key === 'Enter' || e.key === ' ') && order[active]) {
      e.preventDefault();
      openFlow(order[active]);
    }
  });

  // ---- the open flow
  async function getJson(url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.json();
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => openId && renderFlow(openId, false), 150);
  }

  async function openFlow(id) {
    openId = id;
    openHop = null;
    openHopDetail = null;
    $('hop').hidden = true;
    queueRender();
    await renderFlow(id, true);
  }

  async function renderFlow(id, focus) {
    let data;
    try {
      data = await getJson(`/api/flows/${encodeURIComponent(id)}`);
    } catch {
      if (id === openId) $('flow-summary').textContent = 'This flow is gone (merged into another, or past the 1,000 kept).';
      return;
    }
    if (id !== openId) return;
    const s = data.summary;
    $('flow-h').textContent = `${s.kind} · ${s.provider || '?'} · ${s.env || '?'} (${s.id})`;
    const summary = $('flow-summary');
    summary.replaceChildren(resultMark(s), ` · ${s.hops} hops · ${took(s.durationMs)} · started ${new Date(s.startedAt).toLocaleTimeString()}`);
    if (data.droppedHops > 0) summary.append(` · ${data.droppedHops} later hops not kept`);
    for (const [a, path, name] of [['dl-har', 'har', `${id}.har`], ['dl-mmd', 'mermaid?download=1', `${id}.mmd`]]) {
      const link = $(a);
      link.href = `/api/flows/${id}/${path}`;
      link.setAttribute('download', name);
      link.setAttribute('aria-disabled', 'false');
    }
    renderHops(data.hops, s);
    await renderDiagram(id);
    if (focus) $('flow').focus({ preventScroll: true });
  }

  function renderHops(hops, s) {
    const body = $('hops').tBodies[0];
    const rows = hops.map((h) => {
      const mark = h.failed > 0
        ? el('span', { class: 'mark fail', text: `✗ ${h.failed} failed` })
        : h.passed > 0
          ? el('span', { class: 'mark ok', text: `✓ ${h.passed} passed` })
          : el('span', { class: 'mark pending', text: '–' });
      const open = el('button', { type: 'button', text: String(h.n), 'aria-label': `Open hop ${h.n}: ${h.method} ${h.url}` });
      open.addEventListener('click', () => openHopDetailFor(s.id, h.n));
      const row = el(
        'tr',
        { 'data-n': String(h.n) },
        el('td', {}, open),
        el('td', {}, mark),
        el('td', { text: `${h.from} → ${h.to}` }),
        el('td', { class: 'req', text: `${h.method} ${h.url}` }),
        el('td', { text: String(h.status) }),
        el('td', { text: String(Math.round(h.ms)) }),
      );
      if (h.failed > 0) row.className = 'failed-hop';
      if (h.n === openHop) row.setAttribute('aria-current', 'true');
      return row;
    });
    body.replaceChildren(...rows);
  }

  async function renderDiagram(id) {
    const figure = $('diagram');
    let text;
    try {
      const res = await fetch(`/api/flows/${encodeURIComponent(id)}/mermaid`);
      text = await res.text();
    } catch {
      return;
    }
    if (id !== openId || !window.mermaid) return;
    try {
      const { svg } = await window.mermaid.render(`diagram-${++diagramSeq}`, text);
      if (id !== openId) return;
      // The figure keeps its height while the new drawing replaces the old: nothing below it jumps.
      figure.style.minHeight = `${Math.max(320, figure.offsetHeight)}px`;
      figure.innerHTML = svg;
      figure.style.minHeight = '';
    } catch (err) {
      figure.replaceChildren(el('pre', { text: `The diagram could not be drawn (${err.message}); its source:\n${text}` }));
    }
  }

  // ---- one hop
  async function openHopDetailFor(flowId, n) {
    let d;
    try {
      d = await getJson(`/api/flows/${encodeURIComponent(flowId)}/hops/${n}`);
    } catch {
      return;
    }
    openHop = n;
    openHopDetail = d;
    for (const row of $('hops').tBodies[0].rows) row.toggleAttribute('aria-current', Number(row.dataset.n) === n);
    $('hop-h').textContent = `Hop ${n}: ${d.from} → ${d.to} · ${d.method} ${d.status}`;
    const body = $('hop-body');
    body.replaceChildren(
      el('h4', { text: 'Checks' }),
      checksList(d.checks),
      el('h4', { text: 'Request' }),
      el('pre', { text: `${d.method} ${d.url}` }),
      kvTable('Query', d.query),
      kvTable('Request headers', d.requestHeaders),
      bodyBlock('Request body', d.requestBody),
      el('h4', { text: 'Response' }),
      el('pre', { text: `${d.status}${d.location ? `  Location: ${d.location}` : ''}` }),
      kvTable('Response headers', d.responseHeaders),
      bodyBlock('Response body', d.responseBody),
      stateBlock(d.state),
      jwtBlock(d.jwts),
    );
    if (d.truncated) body.append(el('p', { text: 'Bodies past 16 KiB are cut.' }));
    $('copy-note').textContent = '';
    $('hop').hidden = false;
    $('hop-h').setAttribute('tabindex', '-1');
    $('hop-h').focus();
  }

  function checksList(checks) {
    if (checks.length === 0) return el('p', { text: 'No contract check applies to this hop.' });
    return el(
      'ul',
      { class: 'checks' },
      ...checks.map((c) =>
        el(
          'li',
          {},
          el('span', { class: `mark ${c.ok ? 'ok' : 'fail'}`, text: c.ok ? '✓ PASS ' : '✗ FAIL ' }),
          `${c.name}: expected ${c.expected}, got ${c.actual} (${c.source})`,
        ),
      ),
    );
  }

  function kvTable(caption, obj) {
    const entries = Object.entries(obj || {});
    if (entries.length === 0) return el('p', { text: `${caption}: none` });
    return el(
      'table',
      { class: 'kv' },
      el('caption', { text: caption }),
      el('tbody', {}, ...entries.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', text: k }), el('td', { text: v })))),
    );
  }

  function bodyBlock(label, text) {
    if (!text) return el('p', { text: `${label}: empty` });
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: as sent
    }
    return el('div', {}, el('strong', { text: label }), el('pre', { text: shown }));
  }

  function stateBlock(state) {
    if (!state) return el('p', { text: 'No state on this hop.' });
    const rows = [
      ['environment', `${state.environment || '(unknown)'} (prefix ${state.callbackEnvironment}!)`],
      ['host', state.host || '(none)'],
      ['issued', state.issuedAt || '?'],
      ['expires', state.expiresAt || '?'],
      ['oasec segment', state.hasOasec ? 'yes' : 'no'],
      ['raw', state.raw],
    ];
    return el(
      'section',
      { id: 'state', 'aria-label': 'Decoded state' },
      el('h4', { text: 'State (decoded)' }),
      el('dl', { class: 'state' }, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
      el('strong', { text: 'pauth claims' }),
      el('pre', { class: 'claims', text: JSON.stringify(state.pauth, null, 2) }),
    );
  }

  function jwtBlock(jwts) {
    if (jwts.length === 0) return el('p', { text: 'No JWT on this hop.' });
    return el(
      'div',
      {},
      el('h4', { text: `JWTs (${jwts.length})` }),
      ...jwts.map((j) =>
        el('div', {}, el('strong', { text: `${j.token} in ${j.where}` }), el('pre', { text: JSON.stringify({ header: j.header, claims: j.claims }, null, 2) })),
      ),
    );
  }

  // ---- copy as curl (with the values the page shows: shortened unless serve --show-secrets)
  const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const SKIP = new Set(['host', 'content-length', 'connection', 'accept-encoding']);
  function curlOf(d) {
    const parts = ['curl', '-i', '-X', d.method, quote(d.url)];
    for (const [k, v] of Object.entries(d.requestHeaders)) if (!SKIP.has(k)) parts.push('-H', quote(`${k}: ${v}`));
    if (d.requestBody) parts.push('--data-raw', quote(d.requestBody));
    return parts.join(' ');
  }
  $('copy-curl').addEventListener('click', async () => {
    if (!openHopDetail) return;
    const text = curlOf(openHopDetail);
    try {
      await navigator.clipboard.writeText(text);
      $('copy-note').textContent = 'copied';
    } catch {
      $('copy-note').textContent = 'the clipboard is not available here; the command:';
      $('hop-body').prepend(el('pre', { class: 'curl', text }));
    }
  });

  // ---- live
  async function loadAll() {
    const data = await getJson('/api/flows');
    for (const s of data.flows.reverse()) upsert(s);
  }
  function connect() {
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => ($('status').textContent = '● live'));
    source.addEventListener('error', () => ($('status').textContent = '○ reconnecting…'));
    source.addEventListener('flow', (e) => upsert(JSON.parse(e.data)));
    source.addEventListener('removed', (e) => remove(JSON.parse(e.data).id));
  }
  connect();
  loadAll().catch(() => ($('status').textContent = 'the lab is not answering'));
  document.body.dataset.ready = 'true';
})();
