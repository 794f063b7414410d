/*
 * app.js - the unmask web UI and HTML report (one script for both).
 *
 * Served by `unmask serve` (data from the /v1 API, bearer token) or inlined
 * into the report written by `unmask report` (data from the
 * JSON data element with id "um-data"). Every value from
 * the case is adversary-controlled: it reaches the page only as DOM text
 * (textContent, createTextNode) or as SVG/HTML attributes set by name that
 * are never URLs or event handlers. There is no innerHTML, no eval, no
 * inline handler, and links only ever point at this page's own #routes.
 */
'use strict';
(function () {
  var MODE = document.body.getAttribute('data-mode') === 'report' ? 'report' : 'serve';
  var PAGE = 50;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var app = document.getElementById('app');
  var DATA = null;
  var TOKEN = null;
  var WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

  /* ---- DOM helpers (text only) ---- */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'class') e.setAttribute('class', v);
      else if (k === 'text') e.textContent = String(v);
      else if (k === 'onclick' || k === 'onchange' || k === 'oninput' || k === 'onsubmit') e.addEventListener(k.slice(2), v);
      else if (k === 'href') e.setAttribute('href', route(v));
      else if (/^on/i.test(k) || k === 'src' || k === 'style') throw new Error('refused attribute ' + k);
      else e.setAttribute(k, String(v));
    });
  }
  function add(e, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { add(e, k); }); return; }
    if (typeof kid === 'string' || typeof kid === 'number') e.appendChild(document.createTextNode(String(kid)));
    else e.appendChild(kid);
  }
  /* Only our own routes: '#/' + encoded parts. */
  function route(parts) {
    if (!Array.isArray(parts)) parts = [parts];
    return '#/' + parts.map(function (p) { return encodeURIComponent(String(p)); }).join('/');
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function txt(v) { return v === null || v === undefined ? '' : String(v); }
  function badge(level) {
    var l = level === 'high' || level === 'review' || level === 'clean' ? level : 'unknown';
    return el('span', { class: 'badge lv-' + l, text: txt(level || '?') });
  }
  function section(title) {
    var s = el('section', { class: 'card' }, el('h2', { text: title }));
    for (var i = 1; i < arguments.length; i++) add(s, arguments[i]);
    return s;
  }
  function table(head, rows, cls) {
    return el('table', { class: cls || 'grid' },
      el('thead', null, el('tr', null, head.map(function (h) { return el('th', { text: h }); }))),
      el('tbody', null, rows));
  }
  function td(v, cls) { return el('td', cls ? { class: cls } : null, v); }

  /* ---- data sources ---- */
  function api(path, opts) {
    opts = opts || {};
    var headers = { 'Authorization': 'Bearer ' + TOKEN };
    if (opts.body) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: opts.method || 'GET', headers: headers, body: opts.body ? JSON.stringify(opts.body) : undefined,
      credentials: 'omit', cache: 'no-store' }).then(function (r) {
      return r.json().then(function (j) {
        if (r.status === 401) { askToken('The token was refused.'); throw new Error('unauthorized'); }
        if (!r.ok) throw new Error((j && j.error && j.error.message) || ('HTTP ' + r.status));
        return j;
      });
    });
  }
  function qs(o) {
    var p = [];
    Object.keys(o).forEach(function (k) { if (o[k] !== undefined && o[k] !== null && o[k] !== '') p.push(encodeURIComponent(k) + '=' + encodeURIComponent(o[k])); });
    return p.length ? '?' + p.join('&') : '';
  }
  function pageOf(items, offset, limit) {
    return { total: items.length, offset: offset, limit: limit, items: items.slice(offset, offset + limit) };
  }
  var src = {
    summary: function () { return MODE === 'report' ? Promise.resolve(DATA.summary) : api('/v1/summary'); },
    subjects: function (o) {
      if (MODE !== 'report') return api('/v1/subjects' + qs(o));
      var q = (o.q || '').toLowerCase();
      var items = DATA.subjects.filter(function (s) {
        if (o.level && s.level !== o.level) return false;
        if (!q) return true;
        if (txt(s.display).toLowerCase().indexOf(q) >= 0 || txt(s.id).toLowerCase().indexOf(q) >= 0) return true;
        var d = DATA.details[s.id];
        return !!(d && d.identifiers.some(function (i) { return txt(i.value).toLowerCase().indexOf(q) >= 0; }));
      });
      return Promise.resolve(pageOf(items, o.offset || 0, o.limit || PAGE));
    },
    subject: function (id) {
      if (MODE !== 'report') return api('/v1/subjects/' + encodeURIComponent(id));
      var d = Object.prototype.hasOwnProperty.call(DATA.details, id) ? DATA.details[id] : null;
      return d ? Promise.resolve(d) : Promise.reject(new Error('This person is beyond the first ' + DATA.detail_limit +
        ' embedded in the report; use unmask serve for the full case.'));
    },
    clusters: function (o) {
      if (MODE !== 'report') return api('/v1/clusters' + qs(o));
      var p = pageOf(DATA.clusters, o.offset || 0, o.limit || PAGE);
      p.derived = DATA.clusters_derived;
      return Promise.resolve(p);
    },
    cluster: function (id) {
      if (MODE !== 'report') return api('/v1/clusters/' + encodeURIComponent(id));
      var c = DATA.clusters.filter(function (x) { return x.id === id; })[0];
      return c ? Promise.resolve(c) : Promise.reject(new Error('no such cluster'));
    },
    rejects: function () { return MODE === 'report' ? Promise.resolve(DATA.rejects) : api('/v1/rejects?limit=200'); },
    verdict: function (body) { return api('/v1/verdicts', { method: 'POST', body: body }); },
    screen: function (body) { return api('/v1/screen', { method: 'POST', body: body }); }
  };

  /* ---- frame ---- */
  var main = null;
  function frame() {
    clear(app);
    var nav = el('nav', null,
      el('span', { class: 'brand', text: 'unmask' }),
      el('a', { href: [''], text: 'People' }),
      el('a', { href: ['clusters'], text: 'Clusters' }),
      el('a', { href: ['rejects'], text: 'Rejected input' }),
      MODE === 'serve' ? el('a', { href: ['screen'], text: 'Screen an applicant' }) : null,
      el('span', { class: 'mode', text: MODE === 'report' ? 'offline report' : 'live case' }));
    main = el('main', { id: 'main' });
    add(app, [nav, main]);
  }
  function show() {
    clear(main);
    for (var i = 0; i < arguments.length; i++) add(main, arguments[i]);
  }
  function fail(e) {
    if (e && e.message === 'unauthorized') return; /* the sign-in form is showing */
    show(el('p', { class: 'error', role: 'alert', text: 'Error: ' + (e && e.message ? e.message : e) }));
  }

  /* ---- people (triage queue) ---- */
  var listState = { q: '', level: '', offset: 0 };
  function viewPeople() {
    var search = el('input', { type: 'search', id: 'search', placeholder: 'Search name, id, email, phone, wallet…', value: listState.q, 'aria-label': 'search' });
    var level = el('select', { id: 'level', 'aria-label': 'level' },
      ['', 'high', 'review', 'clean'].map(function (l) { var o = el('option', { value: l, text: l || 'all levels' }); if (l === listState.level) o.selected = true; return o; }));
    var body = el('div', { id: 'people' });
    var summary = el('p', { class: 'summary' });
    function load() {
      src.subjects({ q: listState.q, level: listState.level, offset: listState.offset, limit: PAGE }).then(function (p) {
        clear(body);
        var rows = p.items.map(function (s) {
          return el('tr', { class: 'row lv-row-' + txt(s.level) },
            td(txt(s.rank)),
            td(el('a', { href: ['subject', s.id], class: 'person', text: txt(s.display) })),
            td(badge(s.level)), td(txt(s.score), 'num'),
            td((s.indicators || []).join(' ')),
            td(s.verdict ? txt(s.verdict.verdict) : ''),
            td((s.clusters || []).map(function (c) { return el('a', { href: ['cluster', c], text: txt(c) }); })),
            td(el('span', { class: 'id', text: txt(s.id) })));
        });
        add(body, table(['#', 'name', 'level', 'score', 'indicators', 'verdict', 'cluster', 'id'], rows, 'grid queue'));
        var pages = Math.max(1, Math.ceil(p.total / PAGE)), cur = Math.floor(p.offset / PAGE) + 1;
        add(body, el('div', { class: 'pager' },
          el('button', { id: 'prev', disabled: cur <= 1 ? 'disabled' : null, onclick: function () { listState.offset = Math.max(0, listState.offset - PAGE); load(); }, text: '‹ previous' }),
          el('span', { text: ' page ' + cur + ' of ' + pages + ' (' + p.total + ' people) ' }),
          el('button', { id: 'next', disabled: cur >= pages ? 'disabled' : null, onclick: function () { listState.offset += PAGE; load(); }, text: 'next ›' })));
      }).catch(fail);
    }
    var timer = null;
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { listState.q = search.value; listState.offset = 0; load(); }, 200);
    });
    level.addEventListener('change', function () { listState.level = level.value; listState.offset = 0; load(); });
    src.summary().then(function (s) {
      var lv = s.levels || {};
      summary.textContent = (s.subjects || 0) + ' people: ' + (lv.high || 0) + ' high, ' + (lv.review || 0) + ' review, ' +
        (lv.clean || 0) + ' clean. Inputs: ' + ((s.inputs || {}).files || 0) + ' files, ' + ((s.inputs || {}).records || 0) +
        ' records, ' + ((s.inputs || {}).rejects || 0) + ' rejected.';
    }).catch(function () {});
    show(el('h1', { text: 'Triage queue' }), summary, el('div', { class: 'filters' }, search, level), body);
    load();
  }

  /* ---- verdict controls ---- */
  function whoBox() {
    var who = el('input', { type: 'text', class: 'who', placeholder: 'analyst', 'aria-label': 'analyst name', value: localStorage.getItem('unmask.who') || '' });
    who.addEventListener('change', function () { localStorage.setItem('unmask.who', who.value); });
    return who;
  }
  function verdictControls(kind, id, idB, choices, after) {
    if (MODE === 'report') return kind === 'pair' ? el('span', { class: 'muted', text: '-' }) : el('p', { class: 'muted', text: 'Verdicts are recorded in the live case (unmask serve).' });
    var who = whoBox();
    var note = el('input', { type: 'text', class: 'note', placeholder: 'note (optional)', 'aria-label': 'note' });
    var status = el('span', { class: 'status', role: 'status' });
    var box = el('div', { class: 'verdict' }, who, note);
    choices.forEach(function (c) {
      add(box, el('button', { class: 'v-' + c[0], 'data-verdict': c[0], onclick: function () {
        if (!who.value.trim()) { status.textContent = 'Enter your name first.'; who.focus(); return; }
        localStorage.setItem('unmask.who', who.value);
        var body = { target_kind: kind, target: id, verdict: c[0], who: who.value.trim(), note: note.value };
        if (idB) body.target_b = idB;
        src.verdict(body).then(function (r) {
          status.textContent = 'Saved: ' + r.verdict + ' by ' + r.who + ' at ' + r.at;
          if (after) after(r);
        }).catch(function (e) { status.textContent = 'Not saved: ' + e.message; });
      }, text: c[1] }));
    });
    add(box, status);
    return box;
  }
  /* after a saved verdict: newest first in the history shown */
  function histUpdater(box, list) {
    list = list || [];
    return function (r) { list.unshift(r); clear(box); add(box, verdictHistory(list)); };
  }
  function verdictHistory(list) {
    if (!list || !list.length) return el('p', { class: 'muted', text: 'No verdict yet.' });
    return table(['when', 'who', 'verdict', 'note'], list.map(function (v) {
      return el('tr', null, td(txt(v.at)), td(txt(v.who)), td(txt(v.verdict) + (v.target_b ? ' (' + v.target + ' / ' + v.target_b + ')' : '')), td(txt(v.note)));
    }));
  }

  /* ---- pictures ---- */
  function heatmap(grid, shiftMin, label) {
    var cw = 26, ch = 20, left = 40, top = 22;
    var W = left + 24 * cw + 10, H = top + 7 * ch + 8;
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, class: 'heat', role: 'img', 'aria-label': label });
    var cells = [], max = 0, d, h;
    for (d = 0; d < 7; d++) { cells.push([]); for (h = 0; h < 24; h++) cells[d].push(0); }
    var sh = Math.round((shiftMin || 0) / 60);
    for (d = 0; d < 7; d++) for (h = 0; h < 24; h++) {
      var n = grid[d][h]; if (!n) continue;
      var t = d * 24 + h + sh; t = ((t % 168) + 168) % 168;
      cells[Math.floor(t / 24)][t % 24] += n;
    }
    for (d = 0; d < 7; d++) for (h = 0; h < 24; h++) max = Math.max(max, cells[d][h]);
    for (h = 0; h < 24; h += 3) add(s, svg('text', { x: left + h * cw + 2, y: 14, class: 'axis', text: (h < 10 ? '0' : '') + h }));
    for (d = 0; d < 7; d++) {
      add(s, svg('text', { x: 2, y: top + d * ch + 14, class: 'axis', text: WEEKDAYS[d] }));
      for (h = 0; h < 24; h++) {
        var v = cells[d][h], a = max ? v / max : 0;
        var r = svg('rect', { x: left + h * cw, y: top + d * ch, width: cw - 2, height: ch - 2, rx: 2,
          fill: v ? 'rgba(200,40,40,' + (0.15 + 0.85 * a).toFixed(3) + ')' : '#f1f1f4' });
        add(r, svg('title', { text: WEEKDAYS[d] + ' ' + h + ':00 - ' + v + ' events' }));
        add(s, r);
      }
    }
    /* business hours 09-18 of the shown zone, Mon-Fri */
    add(s, svg('rect', { x: left + 9 * cw - 1, y: top - 1, width: 9 * cw, height: 5 * ch, fill: 'none', stroke: '#2a6', 'stroke-width': 2, 'stroke-dasharray': '4 3' }));
    return s;
  }
  function fmtOff(m) {
    if (m === null || m === undefined) return '?';
    var sign = m < 0 ? '−' : '+', a = Math.abs(m);
    return 'UTC' + sign + Math.floor(a / 60) + (a % 60 ? ':' + (a % 60 < 10 ? '0' : '') + (a % 60) : '');
  }
  function activitySection(d) {
    if (!d.activity) return section('Activity hours', el('p', { class: 'muted', text: 'No timestamped activity for this person in the case.' }));
    var z = d.zone;
    var claimed = z && z.offset_lo !== null && z.offset_lo !== undefined;
    return section('Activity hours (hour of day × weekday)',
      el('p', { class: 'muted', text: 'Claimed: ' + (z ? txt(z.claimed) + ' (' + fmtOff(z.offset_lo) + (z.offset_hi !== z.offset_lo ? '…' + fmtOff(z.offset_hi) : '') + ')' : 'no claimed time zone or country') +
        '. Dashed box: 09–18 Monday to Friday in the zone shown.' }),
      el('div', { class: 'heats' },
        claimed ? el('figure', null, heatmap(d.activity, z.offset_lo, 'activity in the claimed zone'), el('figcaption', { text: 'in the claimed zone (' + fmtOff(z.offset_lo) + ')' })) : null,
        el('figure', null, heatmap(d.activity, 0, 'activity in UTC'), el('figcaption', { text: 'in UTC' })),
        el('figure', null, heatmap(d.activity, 540, 'activity in UTC+9'), el('figcaption', { text: 'in UTC+9 (Pyongyang, Seoul, Tokyo) for comparison' }))));
  }
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  function loginSection(d) {
    var L = d.logins || [];
    if (!L.length) return section('Logins', el('p', { class: 'muted', text: 'No sign-ins or logons for this person in the case.' }));
    var times = L.map(function (l) { return Date.parse(l.time); }).filter(function (t) { return !isNaN(t); });
    var t0 = Math.min.apply(null, times), t1 = Math.max.apply(null, times);
    if (t1 === t0) t1 = t0 + 3600e3;
    var countries = [];
    L.forEach(function (l) { var c = txt(l.country) || '??'; if (countries.indexOf(c) < 0) countries.push(c); });
    countries.sort();
    var left = 60, lane = 26, W = 900, H = 30 + countries.length * lane + 24;
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, class: 'timeline', role: 'img', 'aria-label': 'login timeline' });
    countries.forEach(function (c, i) {
      add(s, svg('text', { x: 4, y: 30 + i * lane + 4, class: 'axis', text: c }));
      add(s, svg('line', { x1: left, x2: W - 10, y1: 30 + i * lane, y2: 30 + i * lane, stroke: '#ddd' }));
    });
    add(s, svg('text', { x: left, y: H - 6, class: 'axis', text: new Date(t0).toISOString().slice(0, 16).replace('T', ' ') }));
    add(s, svg('text', { x: W - 10, y: H - 6, class: 'axis', 'text-anchor': 'end', text: new Date(t1).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' }));
    var asns = [];
    L.forEach(function (l) {
      var t = Date.parse(l.time); if (isNaN(t)) return;
      var x = left + (W - 10 - left) * (t - t0) / (t1 - t0);
      var y = 30 + countries.indexOf(txt(l.country) || '??') * lane;
      var k = txt(l.asn); if (asns.indexOf(k) < 0) asns.push(k);
      var col = PALETTE[asns.indexOf(k) % PALETTE.length];
      var failed = l.result === 'failure';
      var c = svg('circle', { cx: x.toFixed(1), cy: y, r: l.net ? 6 : 4, fill: failed ? 'none' : col, stroke: failed ? '#c00' : (l.net ? '#000' : col), 'stroke-width': l.net ? 2 : 1 });
      add(c, svg('title', { text: txt(l.time) + ' ' + txt(l.ip) + ' ' + txt(l.country) + ' AS' + txt(l.asn) + ' ' + txt(l.as_org) + (l.net ? ' [' + l.net + ']' : '') + ' ' + txt(l.result) }));
      add(s, c);
    });
    var orgOf = {};
    L.forEach(function (l) { if (l.as_org) orgOf[txt(l.asn)] = l.as_org; });
    var legend = el('ul', { class: 'legend' }, asns.map(function (k, i) {
      return el('li', null, svg('svg', { width: 12, height: 12, viewBox: '0 0 12 12' }, svg('rect', { width: 12, height: 12, rx: 2, fill: PALETTE[i % PALETTE.length] })),
        ' ' + (k ? 'AS' + k : 'ASN unknown') + (orgOf[k] ? ' ' + orgOf[k] : ''));
    }));
    var rows = L.slice(-100).reverse().map(function (l) {
      return el('tr', l.net ? { class: 'flag' } : null, td(txt(l.time)), td(txt(l.kind)), td(txt(l.ip)), td(txt(l.country)),
        td(l.asn ? 'AS' + l.asn : ''), td(txt(l.as_org)), td(txt(l.net)), td(txt(l.app)), td(txt(l.result)));
    });
    return section('Logins (' + L.length + ' kept of ' + d.logins_total + ')',
      el('p', { class: 'muted', text: 'One lane per country; colour: ASN; ringed: VPN, hosting or DPRK network; hollow red: failed.' }),
      s, legend, el('details', null, el('summary', { text: 'login table (newest first)' }),
        table(['time (UTC)', 'kind', 'IP', 'country', 'ASN', 'network owner', 'network', 'app', 'result'], rows)));
  }

  /* Graph of people and the identifiers that tie them. nodes: {id, label,
   * kind: 'person'|'ident', level}; edges: {a, b, label}. */
  function graph(nodes, edges, onPerson) {
    var W = 900, H = Math.max(360, Math.min(800, 160 + nodes.length * 14));
    var n = nodes.length, i, j, idx = {};
    nodes.forEach(function (nd, k) {
      idx[nd.id] = k;
      var ang = 2 * Math.PI * k / Math.max(1, n);
      nd.x = W / 2 + (W / 3) * Math.cos(ang); nd.y = H / 2 + (H / 3) * Math.sin(ang);
    });
    var E = edges.filter(function (e) { return idx[e.a] !== undefined && idx[e.b] !== undefined; });
    for (var it = 0; it < 300; it++) { /* deterministic force layout */
      var t = 1 - it / 300;
      for (i = 0; i < n; i++) { nodes[i].dx = 0; nodes[i].dy = 0; }
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) {
        var dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y, d2 = dx * dx + dy * dy + 0.01;
        var f = 9000 / d2; nodes[i].dx += dx * f; nodes[i].dy += dy * f; nodes[j].dx -= dx * f; nodes[j].dy -= dy * f;
      }
      E.forEach(function (e) {
        var a = nodes[idx[e.a]], b = nodes[idx[e.b]], dx = b.x - a.x, dy = b.y - a.y;
        a.dx += dx * 0.05; a.dy += dy * 0.05; b.dx -= dx * 0.05; b.dy -= dy * 0.05;
      });
      for (i = 0; i < n; i++) {
        var m = Math.sqrt(nodes[i].dx * nodes[i].dx + nodes[i].dy * nodes[i].dy) || 1, step = Math.min(m, 30 * t + 1);
        nodes[i].x = Math.max(70, Math.min(W - 70, nodes[i].x + nodes[i].dx / m * step + (W / 2 - nodes[i].x) * 0.01));
        nodes[i].y = Math.max(30, Math.min(H - 30, nodes[i].y + nodes[i].dy / m * step + (H / 2 - nodes[i].y) * 0.01));
      }
    }
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, class: 'graph', role: 'img', 'aria-label': 'cluster graph' });
    E.forEach(function (e) {
      var a = nodes[idx[e.a]], b = nodes[idx[e.b]];
      add(s, svg('line', { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), class: 'edge' }));
      /* labels sit nearer the identifier end, so crossing edges keep theirs apart */
      if (e.label) add(s, svg('text', { x: (a.x + (b.x - a.x) * 0.62).toFixed(1), y: (a.y + (b.y - a.y) * 0.62 - 3).toFixed(1), class: 'elabel', 'text-anchor': 'middle', text: e.label }));
    });
    nodes.forEach(function (nd) {
      var g = svg('g', { class: 'node ' + (nd.kind === 'person' ? 'person lv-' + txt(nd.level) : 'ident'), transform: 'translate(' + nd.x.toFixed(1) + ',' + nd.y.toFixed(1) + ')' });
      if (nd.kind === 'person') {
        add(g, svg('circle', { r: 12 }));
        g.addEventListener('click', function () { onPerson(nd.id); });
        g.setAttribute('tabindex', '0');
        g.setAttribute('data-id', nd.id);
      } else add(g, svg('rect', { x: -6, y: -6, width: 12, height: 12, rx: 2 }));
      var label = txt(nd.label); if (label.length > 40) label = label.slice(0, 39) + '…';
      add(g, svg('text', { y: nd.kind === 'person' ? 26 : 18, 'text-anchor': 'middle', text: label }));
      add(g, svg('title', { text: txt(nd.title || nd.label) }));
      add(s, g);
    });
    return s;
  }
  /* Edge weights are log-likelihood ratios: two decimals are enough to read. */
  function fmtWeight(w) { return typeof w === 'number' ? String(Math.round(w * 100) / 100) : txt(w); }
  /* cluster edges (person a - person b, kind, value, weight) -> person and identifier nodes */
  function clusterGraph(c) {
    var nodes = [], edges = [], seen = {};
    (c.members || []).forEach(function (m) {
      var id = typeof m === 'string' ? m : m.id;
      if (seen['p' + id]) return; seen['p' + id] = 1;
      nodes.push({ id: 'p:' + id, pid: id, label: typeof m === 'string' ? m : txt(m.display), title: id, kind: 'person', level: m.level });
    });
    (c.edges || []).slice(0, 400).forEach(function (e) {
      var key = 'i:' + txt(e.kind) + ':' + txt(e.value);
      if (!seen[key]) { seen[key] = 1; nodes.push({ id: key, label: txt(e.value), title: txt(e.kind) + ': ' + txt(e.value), kind: 'ident' }); }
      var w = e.weight !== null && e.weight !== undefined ? ' (' + fmtWeight(e.weight) + ')' : '';
      [e.a, e.b].forEach(function (p) {
        var ek = key + '>' + p;
        if (seen[ek]) return; seen[ek] = 1;
        edges.push({ a: 'p:' + p, b: key, label: txt(e.kind) + w });
      });
    });
    return graph(nodes, edges, function (pid) { location.hash = route(['subject', pid.slice(2)]); });
  }

  /* ---- person ---- */
  function viewSubject(id) {
    show(el('p', { text: 'Loading…' }));
    src.subject(id).then(function (d) {
      var findings = (d.findings || []).map(function (f) {
        var ev = (f.evidence || []).map(function (e) {
          return el('tr', null, td(txt(e.file) + (e.line ? ':' + e.line : '')), td(txt(e.record)), td(txt(e.time)), td(el('code', { text: txt(e.values) })));
        });
        return [el('tr', { class: 'finding' }, td(el('b', { text: txt(f.indicator) })), td(txt(f.strength)), td(txt(f.weight), 'num'),
          td(txt(f.summary)), td(txt(f.count), 'num'), td(txt(f.first_seen)), td(txt(f.last_seen))),
          el('tr', { class: 'evidence' }, el('td', { colspan: '7' }, el('details', null, el('summary', { text: 'evidence (' + ev.length + ') - key: ' + txt(f.key) + ' - ' + txt(f.analyzer) }),
            table(['file:line', 'record', 'time', 'values'], ev))))];
      });
      var ids = (d.identifiers || []).map(function (i) {
        return el('tr', null, td(txt(i.kind)), td(txt(i.value)), td(txt(i.file) + (i.line ? ':' + i.line : '')));
      });
      var shared = d.shared || [];
      var sharedNodes = [{ id: 'p:' + d.id, label: txt(d.display), title: d.id, kind: 'person', level: d.level }], sharedEdges = [], seen = {};
      shared.forEach(function (s) {
        var key = 'i:' + s.kind + ':' + s.value;
        sharedNodes.push({ id: key, label: txt(s.value), title: s.kind + ': ' + s.value, kind: 'ident' });
        sharedEdges.push({ a: 'p:' + d.id, b: key, label: txt(s.kind) });
        (s.subjects || []).forEach(function (o) {
          if (!seen[o.id]) { seen[o.id] = 1; sharedNodes.push({ id: 'p:' + o.id, label: txt(o.display), title: o.id, kind: 'person', level: o.level }); }
          sharedEdges.push({ a: 'p:' + o.id, b: key, label: '' });
        });
      });
      var hist = el('div', { class: 'history' }, verdictHistory(d.verdicts));
      var pairRows = [];
      Object.keys(seen).forEach(function (oid) {
        var other = null;
        shared.forEach(function (s) { (s.subjects || []).forEach(function (o) { if (o.id === oid) other = o; }); });
        pairRows.push(el('tr', null, td(el('a', { href: ['subject', oid], text: txt(other && other.display) })), td(badge(other && other.level)),
          td(verdictControls('pair', d.id, oid, [['same_person', 'same person'], ['not_same_person', 'not the same person']]))));
      });
      show(
        el('h1', null, el('span', { class: 'name', text: txt(d.display) }), ' ', badge(d.level), el('span', { class: 'score', text: ' score ' + txt(d.score) })),
        el('p', { class: 'muted' }, 'id ', el('code', { text: txt(d.id) }), ' - rank ' + txt(d.rank) + ' - ' + (d.identity ? 'from HR/applicant records' : 'seen in logs only') + ' - names: ' + (d.names || []).join('; ')),
        (d.clusters || []).length ? el('p', null, 'Cluster: ', d.clusters.map(function (c) { return el('a', { href: ['cluster', c], text: txt(c) + ' ' }); })) : null,
        section('Verdict', verdictControls('subject', d.id, null, [['confirmed', 'confirm'], ['escalate', 'escalate'], ['cleared', 'clear']], histUpdater(hist, d.verdicts)), hist),
        section('Findings (' + (d.findings || []).length + ')', findings.length ? table(['indicator', 'strength', 'weight', 'summary', 'count', 'first seen', 'last seen'], findings, 'grid findings') : el('p', { class: 'muted', text: 'No findings.' })),
        activitySection(d),
        loginSection(d),
        section('Shared identifiers', shared.length ? graph(sharedNodes, sharedEdges, function (pid) { location.hash = route(['subject', pid.slice(2)]); }) : el('p', { class: 'muted', text: 'No identifier of this person is held by anyone else in the case.' }),
          pairRows.length ? el('details', null, el('summary', { text: 'same person? (' + pairRows.length + ')' }), table(['other person', 'level', 'decision'], pairRows)) : null,
          (d.pair_verdicts || []).length ? verdictHistory(d.pair_verdicts) : null),
        section('Identifiers (raw values)', table(['kind', 'value', 'source'], ids)),
        section('Sources and joins', el('ul', null, (d.sources || []).map(function (s) { return el('li', { text: txt(s) }); })),
          el('ul', null, (d.joins || []).map(function (s) { return el('li', { text: txt(s) }); }))));
    }).catch(fail);
  }

  /* ---- clusters ---- */
  var clusterOffset = 0;
  function viewClusters() {
    src.clusters({ offset: clusterOffset, limit: PAGE }).then(function (p) {
      var rows = p.items.map(function (c) {
        return el('tr', null, td(el('a', { href: ['cluster', c.id], class: 'cluster', text: txt(c.id) })), td(badge(c.tier)), td(txt(c.score), 'num'),
          td(txt(c.size), 'num'), td(c.verdict ? txt(c.verdict.verdict) : ''));
      });
      var pages = Math.max(1, Math.ceil(p.total / PAGE)), cur = Math.floor(p.offset / PAGE) + 1;
      show(el('h1', { text: 'Clusters' }),
        el('p', { class: 'muted', text: p.derived ? 'This case has no persona clusters from the linkage stage; shown are groups of people who share an identifier (phone, email, address, payout account, wallet, device, handle).' : 'Persona clusters from the linkage stage.' }),
        rows.length ? table(['cluster', 'tier', 'score', 'people', 'verdict'], rows) : el('p', { class: 'muted', text: 'No clusters.' }),
        el('div', { class: 'pager' },
          el('button', { disabled: cur <= 1 ? 'disabled' : null, onclick: function () { clusterOffset = Math.max(0, clusterOffset - PAGE); viewClusters(); }, text: '‹ previous' }),
          el('span', { text: ' page ' + cur + ' of ' + pages + ' ' }),
          el('button', { disabled: cur >= pages ? 'disabled' : null, onclick: function () { clusterOffset += PAGE; viewClusters(); }, text: 'next ›' })));
    }).catch(fail);
  }
  function viewCluster(id) {
    src.cluster(id).then(function (c) {
      var members = (c.members || []).map(function (m) {
        return el('tr', null, td(el('a', { href: ['subject', m.id], text: txt(m.display) })), td(badge(m.level)), td(txt(m.score), 'num'), td((m.indicators || []).join(' ')));
      });
      var hist = el('div', { class: 'history' }, verdictHistory(c.verdicts));
      var pairs = {}, pairRows = [];
      (c.edges || []).forEach(function (e) {
        var k = e.a < e.b ? e.a + '|' + e.b : e.b + '|' + e.a;
        if (!pairs[k]) pairs[k] = { a: e.a, b: e.b, ties: [] };
        pairs[k].ties.push(txt(e.kind) + ' ' + txt(e.value) + (e.weight !== null && e.weight !== undefined ? ' (' + fmtWeight(e.weight) + ')' : ''));
      });
      var names = {};
      (c.members || []).forEach(function (m) { names[m.id] = m.display; });
      Object.keys(pairs).slice(0, 200).forEach(function (k) {
        var p = pairs[k];
        pairRows.push(el('tr', null, td(txt(names[p.a] || p.a) + ' - ' + txt(names[p.b] || p.b)), td(p.ties.join('; ')),
          td(verdictControls('pair', p.a, p.b, [['same_person', 'same person'], ['not_same_person', 'not the same']]))));
      });
      show(el('h1', null, 'Cluster ', el('span', { text: txt(c.id) }), ' ', badge(c.tier), el('span', { class: 'score', text: ' score ' + txt(c.score) })),
        c.derived ? el('p', { class: 'muted', text: 'Derived group: people sharing identifiers (no linkage clusters in this case).' }) : null,
        section('Verdict', verdictControls('cluster', c.id, null, [['confirmed', 'confirm network'], ['escalate', 'escalate'], ['cleared', 'clear']], histUpdater(hist, c.verdicts)), hist),
        section('People and the identifiers that tie them', clusterGraph(c), el('p', { class: 'muted', text: 'Circles: people (colour: level; click to open). Squares: shared identifiers. Edge labels: kind (weight).' })),
        section('People (' + members.length + ')', table(['name', 'level', 'score', 'indicators'], members)),
        section('Ties', pairRows.length ? table(['pair', 'shared', 'same person?'], pairRows) : el('p', { class: 'muted', text: 'No ties.' })));
    }).catch(fail);
  }

  /* ---- rejects ---- */
  function viewRejects() {
    src.rejects().then(function (r) {
      show(el('h1', { text: 'Rejected input records' }),
        el('p', { class: 'summary', text: r.total + ' rejected records and warnings kept in the case (the scan keeps the first 10,000 of each kind; totals are in the summary).' }),
        section('By reason', table(['kind', 'reader', 'reason', 'count', 'first example'], (r.by_reason || []).map(function (b) {
          return el('tr', null, td(txt(b.kind)), td(txt(b.reader)), td(txt(b.reason)), td(txt(b.count), 'num'), td(txt(b.example_file) + (b.example_line ? ':' + b.example_line : '')));
        }))),
        section('First records', table(['#', 'kind', 'file:line', 'reader', 'reason'], (r.items || []).map(function (x) {
          return el('tr', null, td(txt(x.seq)), td(txt(x.kind)), td(txt(x.file) + (x.line ? ':' + x.line : '')), td(txt(x.reader)), td(txt(x.reason)));
        }))));
    }).catch(fail);
  }

  /* ---- screen an applicant (live case only) ---- */
  function viewScreen() {
    function field(name, label, ph) { return el('label', null, label, el('input', { type: 'text', name: name, placeholder: ph || '' })); }
    var out = el('div', { id: 'screen-out' });
    var form = el('form', { class: 'screen', onsubmit: function (ev) {
      ev.preventDefault();
      var f = form.elements, split = function (v) { return v.split(/[\s,]+/).filter(Boolean); };
      var body = { name: f.name.value, dob: f.dob.value || undefined, emails: split(f.emails.value), phones: split(f.phones.value), wallets: split(f.wallets.value), urls: split(f.urls.value) };
      src.screen(body).then(function (r) {
        clear(out);
        var lv = r.decision === 'clear' ? 'clean' : r.decision === 'high' ? 'high' : 'review';
        add(out, [el('h2', null, 'Decision: ', el('span', { class: 'badge lv-' + lv, text: txt(r.decision) }),
          ' - linkage: ' + txt(r.linkage && r.linkage.verdict)),
          el('ul', null, (r.reasons || []).map(function (x) { return el('li', { text: x }); })),
          el('details', null, el('summary', { text: 'full answer (JSON)' }), el('pre', { text: JSON.stringify(r, null, 2) }))]);
      }).catch(function (e) { clear(out); add(out, el('p', { class: 'error', text: e.message })); });
    } }, field('name', 'Name (required)'), field('dob', 'Date of birth', 'YYYY-MM-DD'), field('emails', 'Emails'), field('phones', 'Phones'),
      field('wallets', 'Wallets'), field('urls', 'URLs'), el('button', { type: 'submit', text: 'Screen' }));
    show(el('h1', { text: 'Screen an applicant' }), el('p', { class: 'muted', text: 'Sanctions lists, published indicators, and the people already in this case. A name resemblance is a lead for review, never evidence on its own.' }), form, out);
  }

  /* ---- token (live case) ---- */
  function askToken(msg) {
    frame();
    var input = el('input', { type: 'password', id: 'token', 'aria-label': 'token', autocomplete: 'off' });
    show(el('h1', { text: 'Sign in' }), el('p', { text: (msg ? msg + ' ' : '') + 'Paste the API token (the token file beside case.db).' }),
      el('form', { onsubmit: function (ev) { ev.preventDefault(); TOKEN = input.value.trim(); sessionStorage.setItem('unmask.token', TOKEN); render(); } }, input, el('button', { type: 'submit', text: 'Open' })));
  }

  /* ---- router ---- */
  function render() {
    var h = location.hash.replace(/^#\/?/, '');
    var parts = h.split('/').map(function (p) { try { return decodeURIComponent(p); } catch (e) { return ''; } });
    frame();
    if (parts[0] === 'subject' && parts[1]) viewSubject(parts[1]);
    else if (parts[0] === 'clusters') viewClusters();
    else if (parts[0] === 'cluster' && parts[1]) viewCluster(parts[1]);
    else if (parts[0] === 'rejects') viewRejects();
    else if (parts[0] === 'screen' && MODE === 'serve') viewScreen();
    else viewPeople();
    window.scrollTo(0, 0);
  }

  if (MODE === 'report') {
    try { DATA = JSON.parse(document.getElementById('um-data').textContent); } catch (e) { app.textContent = 'The report data could not be read.'; return; }
  }
  /* #token=... (from the server's operator): kept for this tab only, then
   * removed from the address bar and history */
  function takeToken() {
    var m = /^#token=([A-Za-z0-9_\-]+)/.exec(location.hash);
    if (m) { sessionStorage.setItem('unmask.token', m[1]); history.replaceState(null, '', location.pathname + '#/'); }
    TOKEN = sessionStorage.getItem('unmask.token');
  }
  if (MODE === 'serve') takeToken();
  window.addEventListener('hashchange', function () {
    if (MODE === 'serve') takeToken();
    if (MODE === 'report' || TOKEN) render();
  });
  if (MODE === 'serve' && !TOKEN) askToken('');
  else render();
})();
