// The peer's web page. Plain script, no build step, nothing loaded from elsewhere.
// Every string from the network (file names, peer URLs, error details) is attacker-controlled:
// the DOM is built with createElement and textContent only, never from HTML text, and a link is
// only made from an http(s) URL.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const MAX_GROUPS = 500;
  const SPARK_POINTS = 60;
  const $ = (id) => document.getElementById(id);

  const state = {
    stats: null,
    prev: null,
    series: { searches: [], rate: [], healthy: [] },
    search: null,
  };

  // ---- small helpers -------------------------------------------------------------------------

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else e.setAttribute(k, String(v));
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  /** An absolute http(s) URL, or null: a peer could send "javascript:..." as a download URL. */
  function safeUrl(raw, extra) {
    if (typeof raw !== 'string') return null;
    let u;
    try { u = new URL(raw, location.href); } catch (e) { return null; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (extra) for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
    return u.href;
  }

  function bytes(n) {
    if (typeof n !== 'number' || n < 0) return '?';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }

  function ago(ms) {
    if (!ms) return 'never';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }

  function shortHash(h) {
    return typeof h === 'string' && h.length > 12 ? h.slice(0, 12) + '…' : (h || 'no checksum');
  }

  function token() {
    return $('token').value.trim();
  }

  function authHeaders() {
    const t = token();
    return t ? { Authorization: 'Bearer ' + t } : {};
  }

  function banner(text) {
    const b = $('banner');
    b.textContent = text || '';
    b.hidden = !text;
  }

  /** An error answer's {error, detail} as one line. */
  async function problem(res) {
    try {
      const body = await res.json();
      return (body.error || 'HTTP ' + res.status) + (body.detail ? ': ' + body.detail : '');
    } catch (e) {
      return 'HTTP ' + res.status;
    }
  }

  async function getJson(path) {
    // Polls run every few seconds: a peer that stops answering must not pile requests up.
    const res = await fetch(path, { headers: authHeaders(), cache: 'no-store', signal: AbortSignal.timeout(8000) });
    if (res.status === 401) {
      banner('This peer is private: enter its access token at the top right.');
      throw new Error('unauthorized');
    }
    if (!res.ok) throw new Error(await problem(res));
    return res.json();
  }

  // ---- live figures --------------------------------------------------------------------------

  function push(series, v) {
    series.push(v);
    if (series.length > SPARK_POINTS) series.shift();
  }

  function spark(id, values) {
    const box = $(id);
    box.replaceChildren();
    if (values.length < 2) return;
    const max = Math.max(1, ...values);
    const step = 120 / (SPARK_POINTS - 1);
    const x0 = 120 - step * (values.length - 1);
    const pts = values.map((v, i) => (x0 + i * step).toFixed(1) + ',' + (29 - (v / max) * 27).toFixed(1));
    box.append(svg('polygon', { points: x0.toFixed(1) + ',30 ' + pts.join(' ') + ' 120,30' }));
    box.append(svg('polyline', { points: pts.join(' ') }));
  }

  async function pollStats() {
    let s;
    try {
      s = await getJson('/stats');
    } catch (e) {
      return;
    }
    if ($('banner').textContent.startsWith('This peer is private')) banner('');
    state.stats = s;
    $('peer-name').textContent = s.peer;
    $('peer-url').textContent = s.url;
    // The id a friend pins this peer by (ID@URL): shown whole, so it can be read out and compared.
    $('peer-id').textContent = s.id ? 'id ' + s.id : '';
    $('footer').textContent = 'peerd ' + s.version + ' · up ' + Math.round(s.uptime_s) + ' s';
    document.title = 'peerd · ' + s.peer;
    const prev = state.prev;
    if (prev) {
      const dt = Math.max(0.001, (s.time_ms - prev.time_ms) / 1000);
      const searches = Math.max(0, s.searches_processed - prev.searches_processed) / dt;
      const moved = (s.bytes_sent + s.bytes_received) - (prev.bytes_sent + prev.bytes_received);
      const rate = Math.max(0, moved) / dt;
      push(state.series.searches, searches);
      push(state.series.rate, rate);
      $('fig-searches').textContent = searches.toFixed(searches < 10 ? 1 : 0);
      $('fig-rate').textContent = bytes(Math.round(rate)) + '/s';
    }
    push(state.series.healthy, s.peers.healthy_peers);
    $('fig-healthy').textContent = s.peers.healthy_peers + ' of ' + s.peers.total_peers;
    $('fig-files').textContent = String(s.files);
    $('fig-bytes').textContent = bytes(s.bytes_shared);
    spark('spark-searches', state.series.searches);
    spark('spark-rate', state.series.rate);
    spark('spark-healthy', state.series.healthy);
    state.prev = s;
    uploadControls();
  }

  // ---- search: a streamed answer, one event per peer --------------------------------------------

  /** Reads text/event-stream from a fetch body: fetch (not EventSource) so a token can be sent. */
  async function readEvents(res, onEvent, signal) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) onEvent(name, JSON.parse(data.join('\n')));
      }
    }
  }

  function searchStatus(s, extra) {
    const files = [...s.groups.values()].reduce((n, g) => n + g.holders.size, 0);
    let text = s.peers.size + (s.peers.size === 1 ? ' peer' : ' peers') + ' answered · '
      + s.groups.size + (s.groups.size === 1 ? ' file' : ' files') + ' · ' + files + (files === 1 ? ' copy' : ' copies');
    if (extra) text += ' · ' + extra;
    $('search-status').textContent = text;
  }

  function groupKey(f) {
    return typeof f.checksum === 'string' && f.checksum ? 'sha256:' + f.checksum : 'name:' + f.name + ':' + f.size;
  }

  function addPeerResult(s, ev) {
    if (typeof ev.peer !== 'string') return;
    s.peers.add(ev.peer);
    const files = Array.isArray(ev.files) ? ev.files : [];
    for (const f of files) {
      if (!f || typeof f.name !== 'string') continue;
      const key = groupKey(f);
      let g = s.groups.get(key);
      if (!g) {
        if (s.groups.size >= MAX_GROUPS) { s.dropped++; continue; }
        g = newGroup(f);
        s.groups.set(key, g);
        $('results').append(g.node);
      }
      if (g.holders.has(ev.peer + '\n' + f.name)) continue;
      g.holders.add(ev.peer + '\n' + f.name);
      g.list.append(holderRow(ev.peer, ev.hops, f, g.name));
      g.count.textContent = g.holders.size + (g.holders.size === 1 ? ' peer' : ' peers');
    }
    searchStatus(s, 'searching…');
  }

  function newGroup(f) {
    const list = el('ul', { class: 'holders' });
    const count = el('span', { class: 'result-meta' });
    const node = el('div', { class: 'result', 'data-hash': f.checksum || '' },
      el('div', { class: 'result-head' },
        el('span', { class: 'result-name', text: f.name }),
        el('span', { class: 'result-meta', text: bytes(f.size) }),
        el('span', { class: 'result-meta mono', title: f.checksum || '', text: shortHash(f.checksum) }),
        count),
      list);
    return { node, list, count, holders: new Set(), name: f.name };
  }

  function holderRow(peer, hops, f, groupName) {
    const href = safeUrl(f.rest_url, { download: '1' });
    const link = href
      ? el('a', { href, class: 'download', rel: 'noopener noreferrer', download: '', text: 'download' })
      : el('span', { class: 'muted', text: 'no HTTP link' });
    // Get asks this peer to fetch it (the direct link needs the browser to reach the holder).
    const root = typeof f.root === 'string' && /^[0-9a-f]{64}$/.test(f.root) ? f.root : null;
    const get = root
      ? el('button', { type: 'button', class: 'get', title: 'this peer downloads it, checked piece by piece', text: 'Get' })
      : null;
    if (get) get.addEventListener('click', () => startDownload({ root }, f.name, get));
    return el('li', { class: 'holder', 'data-peer': peer },
      el('span', { class: 'peer mono', text: peer }),
      el('span', { class: 'hops', text: typeof hops === 'number' && hops >= 0 ? hops + (hops === 1 ? ' hop' : ' hops') : '? hops' }),
      // The same bytes may have another name on this peer.
      f.name !== groupName ? el('span', { class: 'holder-name muted', text: 'as ' + f.name }) : null,
      get,
      link);
  }

  async function search(query, ttl, mode) {
    if (state.search) state.search.ctl.abort();
    const s = { ctl: new AbortController(), peers: new Set(), groups: new Map(), dropped: 0, done: false };
    state.search = s;
    $('results').replaceChildren();
    $('search-status').className = 'muted';
    $('search-status').textContent = 'searching…';
    const params = new URLSearchParams({ query });
    // Empty means "the peer's own default": the parameter is left out, never sent empty.
    if (ttl !== '') params.set('ttl', ttl);
    if (mode !== '') params.set('mode', mode);
    const url = '/search/stream?' + params;
    try {
      const res = await fetch(url, { headers: authHeaders(), signal: s.ctl.signal, cache: 'no-store' });
      if (!res.ok) {
        $('search-status').className = 'error';
        $('search-status').textContent = await problem(res);
        return;
      }
      await readEvents(res, (name, data) => {
        if (state.search !== s) return;
        if (name === 'peer') addPeerResult(s, data);
        else if (name === 'done') finishSearch(s, data);
        else if (name === 'error') {
          $('search-status').className = 'error';
          $('search-status').textContent = data.error + ': ' + data.detail;
        }
      }, s.ctl.signal);
    } catch (e) {
      if (e.name !== 'AbortError') {
        $('search-status').className = 'error';
        $('search-status').textContent = 'search failed: ' + e.message;
      }
    }
  }

  function finishSearch(s, d) {
    s.done = true;
    const parts = ['done in ' + d.elapsed_ms + ' ms'];
    if (d.partial) parts.push('partial');
    if (Array.isArray(d.unreachable) && d.unreachable.length) {
      parts.push('unreachable: ' + d.unreachable.map((u) => u.peer + ' (' + u.reason + ')').join(', '));
    }
    if (s.dropped) parts.push(s.dropped + ' more files not shown');
    searchStatus(s, parts.join(' · '));
    $('search-status').dataset.done = 'true';
  }

  // ---- downloads this peer runs ------------------------------------------------------------------

  const downloads = new Map(); // id -> row element

  async function startDownload(body, name, button) {
    if (button) button.disabled = true;
    try {
      const res = await fetch('/downloads', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders() },
        body: JSON.stringify(body),
      });
      const status = $('downloads-status');
      if (!res.ok) {
        status.className = 'error';
        status.textContent = 'cannot download: ' + await problem(res);
        if (button) button.disabled = false;
        return;
      }
      const d = await res.json();
      status.className = 'muted';
      status.textContent = (res.status === 202 ? 'queued: ' : d.state === 'done' ? 'already here: ' : 'already asked for: ') + name;
      showDownload(d);
      if (button) button.textContent = 'queued';
    } catch (e) {
      if (button) button.disabled = false;
      $('downloads-status').textContent = 'cannot download: ' + e.message;
    }
  }

  async function act(id, method, path) {
    const res = await fetch(path, { method, headers: authHeaders() });
    if (!res.ok) {
      $('downloads-status').className = 'error';
      $('downloads-status').textContent = await problem(res);
    }
  }

  function eta(s) {
    if (typeof s !== 'number') return '';
    if (s < 60) return s + ' s left';
    if (s < 3600) return Math.round(s / 60) + ' min left';
    return Math.round(s / 3600) + ' h left';
  }

  /**
   * One row per download, updated in place: a row rebuilt four times a second would swallow
   * clicks (the press and the release would land on different buttons).
   */
  function showDownload(d) {
    if (!d || typeof d.id !== 'string') return;
    let r = downloads.get(d.id);
    if (!r) {
      r = {
        node: el('div', { class: 'download-row', 'data-id': d.id }),
        name: el('span', { class: 'download-name' }),
        badge: el('span', { class: 'badge' }),
        amount: el('span', { class: 'result-meta' }),
        speed: el('span', { class: 'result-meta' }),
        actions: el('span', { class: 'actions' }),
        bar: el('progress', { max: 1, value: 0 }),
        reason: el('p', { class: 'reason muted' }),
        file: el('p', { class: 'muted' }),
        sources: el('ul', { class: 'sources' }),
        state: null,
      };
      r.node.append(el('div', { class: 'download-head' }, r.name, r.badge, r.amount, r.speed, r.actions),
        r.bar, r.reason, r.file, r.sources);
      $('downloads').prepend(r.node);
      downloads.set(d.id, r);
    }
    const state = String(d.state);
    const size = typeof d.size === 'number' && d.size > 0 ? d.size : 0;
    const done = typeof d.bytes_done === 'number' ? d.bytes_done : 0;
    r.node.className = 'download-row state-' + state.replace(/[^a-z]/g, '');
    r.node.dataset.state = state;
    r.name.textContent = d.name || d.id;
    r.badge.textContent = state;
    r.amount.textContent = bytes(done) + ' of ' + (size ? bytes(size) : '?');
    r.speed.textContent = state === 'active' ? bytes(d.rate || 0) + '/s ' + eta(d.eta_s) : '';
    r.bar.max = size || 1;
    r.bar.value = size ? Math.min(done, size) : 0;
    r.reason.textContent = d.reason || '';
    r.reason.hidden = !d.reason;
    r.file.textContent = d.file ? 'saved as ' + d.file : '';
    r.file.hidden = !d.file;
    if (r.state !== state) {
      // The buttons change with the state only.
      r.state = state;
      const buttons = [];
      const button = (text, method, path) => {
        const b = el('button', { type: 'button', class: text, text });
        b.addEventListener('click', () => act(d.id, method, path));
        buttons.push(b);
      };
      if (['queued', 'resolving', 'active', 'verifying'].includes(state)) button('pause', 'POST', '/downloads/' + d.id + '/pause');
      if (['paused', 'failed'].includes(state)) button('resume', 'POST', '/downloads/' + d.id + '/resume');
      if (state !== 'done') button('cancel', 'DELETE', '/downloads/' + d.id);
      r.actions.replaceChildren(...buttons);
    }
    const sources = [];
    for (const s of Array.isArray(d.sources) ? d.sources : []) {
      if (!s || typeof s.url !== 'string') continue;
      sources.push(el('li', { class: 'source' + (s.banned ? ' banned' : '') },
        el('span', { class: 'mono', text: s.url }),
        el('span', { class: 'muted', text: ' ' + (s.state || '') + ' · ' + bytes(s.bytes) + (s.banned ? ' · banned' : '') + (s.error ? ' · ' + s.error : '') })));
    }
    r.sources.replaceChildren(...sources);
  }

  /** The download list, live: an event per change, reconnected when the stream ends. */
  async function watchDownloads() {
    for (;;) {
      const ctl = new AbortController();
      try {
        const res = await fetch('/downloads/stream', { headers: authHeaders(), signal: ctl.signal, cache: 'no-store' });
        if (res.ok) {
          await readEvents(res, (name, data) => {
            if (name === 'download') showDownload(data);
            else if (name === 'removed' && typeof data.removed === 'string') {
              const row = downloads.get(data.removed);
              if (row) row.node.remove();
              downloads.delete(data.removed);
            }
          }, ctl.signal);
        }
      } catch (e) {
        // the peer went away or the stream broke: try again below
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  async function copyLink(button, magnet) {
    try {
      await navigator.clipboard.writeText(magnet);
      button.textContent = 'copied';
    } catch (e) {
      // No clipboard (plain http to another host): show it, selected, to copy by hand.
      window.prompt('Magnet link', magnet);
    }
  }

  // ---- local files and upload --------------------------------------------------------------------

  async function loadFiles() {
    let body;
    try { body = await getJson('/files'); } catch (e) { return; }
    const rows = (Array.isArray(body.files) ? body.files : []).map((f) => {
      const href = safeUrl(f.rest_url, { download: '1' });
      const copy = typeof f.magnet === 'string' && f.magnet.startsWith('magnet:')
        ? el('button', { type: 'button', class: 'copy-link', 'data-magnet': f.magnet, title: f.magnet, text: 'copy link' })
        : null;
      if (copy) copy.addEventListener('click', () => copyLink(copy, f.magnet));
      return el('tr', null,
        el('td', null, href ? el('a', { href, download: '', text: f.name }) : f.name),
        el('td', { class: 'num', text: bytes(f.size) }),
        el('td', { class: 'mono', title: f.checksum || '', text: shortHash(f.checksum) }),
        el('td', null, copy));
    });
    $('files').replaceChildren(...rows);
  }

  function uploadControls() {
    const u = state.stats && state.stats.uploads;
    const on = !!(u && u.accept);
    $('upload-file').disabled = !on;
    $('upload-button').disabled = !on;
    $('upload-overwrite').disabled = !on || !u.overwrite;
    if (!on && !$('upload-status').dataset.result) {
      $('upload-status').textContent = 'This peer does not accept uploads (accept_uploads is off).';
    } else if (on && !$('upload-status').dataset.result) {
      $('upload-status').textContent = 'Uploads land in ' + u.dir + '/, up to ' + bytes(u.max_bytes) + '.';
    }
  }

  async function sha256Hex(file) {
    // Only where the browser offers it (a secure context) and for files that fit in memory.
    if (!(window.crypto && crypto.subtle) || file.size > 64 * 1024 * 1024) return null;
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  function uploadResult(text, isError) {
    const st = $('upload-status');
    st.textContent = text;
    st.className = isError ? 'error' : 'muted';
    st.dataset.result = isError ? 'error' : 'ok';
  }

  async function upload(file, overwrite) {
    const s = state.stats;
    if (s && s.auth && s.auth.token_for_changes && !token()) {
      uploadResult('An upload changes this peer: enter its access token at the top right first.', true);
      $('token').focus();
      return;
    }
    const hash = await sha256Hex(file);
    const path = '/upload/' + file.name.split('/').map(encodeURIComponent).join('/') + (overwrite ? '?overwrite=true' : '');
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    const t = token();
    if (t) xhr.setRequestHeader('Authorization', 'Bearer ' + t);
    if (hash) xhr.setRequestHeader('X-Sha256', hash);
    const bar = $('upload-progress');
    bar.hidden = false;
    bar.value = 0;
    $('upload-button').disabled = true;
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    const done = new Promise((resolve) => { xhr.onloadend = resolve; });
    xhr.send(file);
    await done;
    $('upload-button').disabled = false;
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
    if (xhr.status === 201 && body) {
      bar.value = 1;
      uploadResult('Uploaded ' + body.name + ' (' + bytes(body.size) + ', sha256 ' + shortHash(body.sha256) + ')', false);
      loadFiles();
    } else if (xhr.status === 401) {
      uploadResult('The access token is missing or wrong.', true);
      $('token').focus();
    } else {
      uploadResult('Upload refused: ' + (body ? body.error + ': ' + body.detail : 'HTTP ' + xhr.status), true);
    }
  }

  // ---- peers and the network graph --------------------------------------------------------------

  async function loadPeers() {
    let body;
    try { body = await getJson('/peers'); } catch (e) { return; }
    const rows = (Array.isArray(body.table) ? body.table : []).map((p) => el('tr', { 'data-peer': p.url },
      el('td', { class: 'mono', text: p.url }),
      el('td', null, el('span', { class: 'badge ' + (p.healthy ? 'ok' : 'bad'), text: p.healthy ? 'healthy' : 'failing' })),
      el('td', { class: 'mono', title: p.problem || p.id || '', text: p.authenticated ? '✔ ' + p.id.slice(0, 7) : (p.problem ? '✘ ' + p.problem : (p.id ? 'unproved ' + p.id.slice(0, 7) : 'none')) }),
      el('td', { class: 'num', text: typeof p.rtt_ms === 'number' ? p.rtt_ms + ' ms' : '-' }),
      el('td', { text: ago(p.last_seen) }),
      el('td', { class: 'num', text: String(p.failures) }),
      el('td', null, diagnoseButton(p.url))));
    if (!rows.length) rows.push(el('tr', null, el('td', { class: 'muted', colspan: 7, text: 'No peers known yet.' })));
    $('peers').replaceChildren(...rows);
  }

  // ---- the connection doctor: GET /doctor runs the checks from this peer ---------------------------

  function diagnoseButton(url) {
    const b = el('button', { type: 'button', class: 'diagnose', title: 'check this peer step by step, from this peer', text: 'diagnose' });
    b.addEventListener('click', () => diagnose(url));
    return b;
  }

  let diagnosing = null;

  async function diagnose(url) {
    // One run at a time from this page: a second click on another row replaces the first.
    if (diagnosing) diagnosing.abort();
    const ctl = new AbortController();
    diagnosing = ctl;
    $('doctor').hidden = false;
    $('doctor').dataset.url = url;
    delete $('doctor').dataset.ok;
    $('doctor-status').textContent = 'Diagnosing ' + url + ' from this peer…';
    $('doctor-steps').replaceChildren();
    let report;
    try {
      // Every step has its own deadline at the peer; the whole run stays under a minute.
      const res = await fetch('/doctor?url=' + encodeURIComponent(url), {
        headers: authHeaders(), cache: 'no-store', signal: AbortSignal.any([ctl.signal, AbortSignal.timeout(60000)]) });
      if (!res.ok) throw new Error(await problem(res));
      report = await res.json();
    } catch (e) {
      if (ctl.signal.aborted) return;
      $('doctor-status').textContent = 'Diagnosis of ' + url + ' failed: ' + e.message;
      return;
    }
    if (diagnosing !== ctl) return;
    const steps = Array.isArray(report.steps) ? report.steps : [];
    $('doctor-steps').replaceChildren(...steps.map((s) => el('tr', { class: 'step-' + s.verdict, 'data-step': s.name },
      el('td', { class: 'mono', text: s.name }),
      el('td', null, el('span', { class: 'badge ' + (s.verdict === 'pass' ? 'ok' : s.verdict === 'fail' ? 'bad' : 'skip'), text: s.verdict })),
      el('td', { class: 'num', text: s.verdict === 'skip' ? '' : s.ms + ' ms' }),
      el('td', null, String(s.detail || ''), s.hint ? el('div', { class: 'hint', text: 'hint: ' + s.hint }) : null))));
    const failed = steps.find((s) => s.verdict === 'fail');
    $('doctor').dataset.ok = String(report.ok === true);
    $('doctor-status').textContent = (report.ok ? 'OK: ' : 'Failed at ' + (failed ? failed.name : '?') + ': ')
      + url + (report.expected_id ? ' (id ' + report.expected_id + ')' : '') + ', checked from this peer in ' + report.ms + ' ms';
  }

  function label(url) {
    try { const u = new URL(url); return u.host; } catch (e) { return String(url).slice(0, 40); }
  }

  async function loadNetwork() {
    let net;
    try { net = await getJson('/network'); } catch (e) { return; }
    // Self a little below the middle: with few neighbours they sit above it, not in a flat line.
    const W = 420, H = 300, cx = W / 2, cy = H / 2 + 25;
    const nodes = Array.isArray(net.nodes) ? net.nodes : [];
    const pos = new Map();
    const rings = [[], [], []];
    for (const n of nodes) rings[Math.min(2, Math.max(0, n.hops | 0))].push(n);
    rings.forEach((ring, r) => ring.forEach((n, i) => {
      if (r === 0) { pos.set(n.url, [cx, cy]); return; }
      const radius = r === 1 ? 100 : 135;
      // At least three slots per ring: two neighbours opposite each other would hide their link.
      const slots = Math.max(3, ring.length);
      const a = (2 * Math.PI * i) / slots - (5 * Math.PI) / 6 + (r === 2 ? Math.PI / slots : 0);
      pos.set(n.url, [cx + radius * 1.35 * Math.cos(a), cy + radius * Math.sin(a)]);
    }));
    const g = $('graph');
    g.replaceChildren();
    for (const e of Array.isArray(net.edges) ? net.edges : []) {
      const a = pos.get(e.from), b = pos.get(e.to);
      if (a && b) g.append(svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }));
    }
    for (const n of nodes) {
      const p = pos.get(n.url);
      const cls = n.self ? 'self' : n.healthy === true ? 'ok' : n.healthy === false ? 'bad' : 'unknown';
      const c = svg('circle', { cx: p[0], cy: p[1], r: n.self ? 9 : 7, class: cls });
      const title = svg('title');
      title.textContent = n.url + (typeof n.rtt_ms === 'number' ? ' · ' + n.rtt_ms + ' ms' : '');
      c.append(title);
      g.append(c);
      const t = svg('text', { x: p[0], y: p[1] + (n.self ? 22 : 18), 'text-anchor': 'middle' });
      t.textContent = label(n.url);
      g.append(t);
    }
    const un = Array.isArray(net.unreachable) ? net.unreachable : [];
    $('graph-status').textContent = nodes.length + ' peers, ' + (net.edges || []).length + ' links'
      + (un.length ? ' · not answering: ' + un.map((u) => u.peer).join(', ') : '')
      + ' · blue: this peer, green: healthy, red: failing, grey: heard of';
  }

  // ---- wiring ------------------------------------------------------------------------------------

  function every(ms, fn) {
    fn();
    setInterval(fn, ms);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      delete $('search-status').dataset.done;
      search($('query').value, $('ttl').value, $('mode').value);
    });
    $('upload-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const f = $('upload-file').files[0];
      if (!f) { uploadResult('Choose a file first.', true); return; }
      upload(f, $('upload-overwrite').checked);
    });
    $('token').addEventListener('change', () => { pollStats(); loadFiles(); loadPeers(); });
    every(1000, pollStats);
    every(5000, loadFiles);
    every(3000, loadPeers);
    every(10000, loadNetwork);
    watchDownloads();
  });
})();
