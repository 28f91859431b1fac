// 实地考核 on the phone, offline first. Findings and their photos are kept in IndexedDB with
// client-generated ids and sent when the network is there: the finding first, then each photo on
// its own, so a resend never duplicates (the server answers a known id with the stored row) and an
// interrupted upload resumes where it stopped. No inline script: the CSP forbids it.
(() => {
  'use strict';
  const root = document.getElementById('field');
  if (!root) return;
  const en = root.dataset.lang === 'en';
  const t = (zh, english) => (en ? english : zh);
  const $ = (id) => document.getElementById(id);
  const MINE = '/api/v1/inspections/mine';
  const MAX_SIDE = 1600;

  // ---------------------------------------------------------------- IndexedDB queue
  let dbPromise;
  function openDb() {
    dbPromise ??= new Promise((resolve, reject) => {
      const req = indexedDB.open('kaohe-inspections', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('findings', { keyPath: 'clientId' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return dbPromise;
  }
  async function tx(mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction('findings', mode);
      const store = transaction.objectStore('findings');
      const result = fn(store);
      transaction.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const allFindings = () => tx('readonly', (s) => s.getAll());
  const putFinding = (f) => tx('readwrite', (s) => s.put(f));

  // ---------------------------------------------------------------- helpers
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID()
    : ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const fmt = (n) => (Math.round(n * 100) / 100).toString();

  /** Downscales a photo on the phone (longest side 1600 px, JPEG); keeps the original if the browser cannot decode it. */
  async function downscale(file) {
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
      return blob ? { blob, name: 'photo.jpg' } : { blob: file, name: file.name };
    } catch {
      return { blob: file, name: file.name };
    }
  }

  /** The position, or null when it cannot be had (no permission, no fix, no GPS): the finding is kept anyway. */
  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  }

  // ---------------------------------------------------------------- state
  let mine = null;
  let group = null;
  let checklist = [];
  let current = null; // the open site
  const serverDetail = new Map();

  async function loadMine() {
    try {
      const res = await fetch(MINE, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      mine = await res.json();
    } catch {
      mine = null;
    }
    $('loading').hidden = true;
    if (!mine || mine.groups.length === 0) {
      $('no-group').hidden = false;
      if (!mine) $('no-group').querySelector('p').textContent = t('无法加载考核组：请联网后重新打开本页。', 'Could not load your group: open this page again with a network.');
      return;
    }
    // The period being collected comes first; an assessor in several periods' groups can switch.
    const switcher = $('group-switch');
    switcher.replaceChildren(...mine.groups.map((g) => el('option', { value: String(g.id) }, `${g.periodId} · ${g.name}`)));
    $('group-switch-wrap').hidden = mine.groups.length < 2;
    switcher.addEventListener('change', () => chooseGroup(Number(switcher.value)));
    $('indicator').addEventListener('change', onIndicator);
    $('group').hidden = false;
    await chooseGroup(mine.groups[0].id);
  }

  async function chooseGroup(id) {
    group = mine.groups.find((g) => g.id === id);
    checklist = mine.checklists[group.periodId] || [];
    $('group-name').textContent = `${group.name} · ${group.periodId}`;
    $('group-members').textContent = t('成员：', 'Members: ') + group.members.map((m) => m.name).join('、');
    fillIndicators();
    await render();
  }

  function fillIndicators() {
    const select = $('indicator');
    select.replaceChildren();
    let optgroup = null;
    for (const item of checklist) {
      if (!optgroup || optgroup.label !== item.aspect) {
        optgroup = el('optgroup', { label: item.aspect });
        select.append(optgroup);
      }
      optgroup.append(el('option', { value: item.indicatorId }, `${item.indicatorId} ${item.name}（${t('扣', '−')}${fmt(item.deduction)}）`));
    }
    onIndicator();
  }

  function onIndicator() {
    const item = checklist.find((i) => i.indicatorId === $('indicator').value);
    if (!item) return;
    $('points').value = item.deduction;
    $('points').max = item.deduction;
    $('rule').textContent = item.rule || '';
  }

  const STATE = {
    pending: () => ({ text: t('待同步', 'not synced'), cls: 'warn' }),
    synced: () => ({ text: t('已同步', 'synced'), cls: 'ok' }),
    failed: () => ({ text: t('同步失败', 'sync failed'), cls: 'bad' }),
  };

  async function render() {
    const findings = (await allFindings()).filter((f) => group && f.groupId === group.id);
    const waiting = findings.filter((f) => f.state !== 'synced');
    $('queue-count').textContent = waiting.length === 0
      ? t('全部已同步', 'everything synced')
      : t(`待同步 ${waiting.length} 条`, `${waiting.length} not synced`);
    $('queue-count').dataset.pending = String(waiting.length);

    const sites = $('sites');
    sites.replaceChildren();
    for (const s of group ? group.sites : []) {
      const here = findings.filter((f) => f.siteId === s.siteId);
      const open = here.filter((f) => f.state !== 'synced').length;
      const button = el('button', { type: 'button', class: 'site-button', 'data-site': s.siteId },
        el('strong', {}, s.name),
        el('span', { class: 'small muted' }, ` ${s.kind === 'seat' ? t('地市所在地', 'seat city') : t('抽查县（区）', 'sampled county')} · ${s.unitName}`),
        el('span', { class: 'site-count small' }, here.length ? t(`${here.length} 条记录`, `${here.length} findings`) + (open ? t(`，${open} 条待同步`, `, ${open} not synced`) : '') : ''));
      button.addEventListener('click', () => openSite(s.siteId));
      sites.append(el('li', {}, button));
    }
    if (current) renderSite(findings.filter((f) => f.siteId === current.siteId));
  }

  function renderSite(findings) {
    $('site-name').textContent = current.name;
    $('site-unit').textContent = t('计分单位：', 'Scored for: ') + current.unitName;
    const list = $('findings');
    list.replaceChildren();
    $('findings-empty').hidden = findings.length > 0;
    for (const f of findings.sort((a, b) => a.observedAt.localeCompare(b.observedAt))) {
      const item = checklist.find((i) => i.indicatorId === f.indicatorId);
      const state = STATE[f.state]();
      const where = f.latitude == null ? t('未获取到位置', 'no position')
        : `${f.latitude.toFixed(5)}, ${f.longitude.toFixed(5)}${f.accuracy ? ` ±${Math.round(f.accuracy)}m` : ''}`;
      const thumbs = el('div', { class: 'thumbs' });
      for (const p of f.photos) {
        const img = el('img', { alt: t('现场照片', 'photo'), src: URL.createObjectURL(p.blob) });
        img.addEventListener('load', () => URL.revokeObjectURL(img.src), { once: true });
        thumbs.append(img);
      }
      list.append(el('li', { class: 'finding', 'data-client-id': f.clientId, 'data-state': f.state },
        el('div', {}, el('span', { class: `tag ${state.cls} sync-state` }, state.text), ' ',
          el('strong', {}, `${f.indicatorId} ${item ? item.name : ''}`), ` ${t('扣', '−')}${fmt(f.points)}`),
        f.note ? el('div', {}, f.note) : null,
        el('div', { class: 'small muted' }, `${new Date(f.observedAt).toLocaleString(en ? 'en' : 'zh-CN')} · ${where} · ${t('照片', 'photos')} ${f.photos.filter((p) => p.synced).length}/${f.photos.length}`),
        f.error ? el('div', { class: 'small error-text' }, f.error) : null,
        thumbs));
    }
    const counts = new Map();
    for (const f of findings) counts.set(f.indicatorId, (counts.get(f.indicatorId) || 0) + 1);
    const body = $('checklist');
    body.replaceChildren();
    for (const item of checklist) {
      body.append(el('tr', {},
        el('td', {}, el('span', { class: 'small muted' }, item.aspect + ' / '), `${item.indicatorId} ${item.name}`),
        el('td', { class: 'num' }, fmt(item.deduction)),
        el('td', { class: 'num' }, String(counts.get(item.indicatorId) || ''))));
    }
    const detail = serverDetail.get(current.siteId);
    $('site-score').textContent = detail
      ? t(`已同步 ${detail.findings.length} 条，扣 ${fmt(detail.deducted)} 分`, `${detail.findings.length} synced, ${fmt(detail.deducted)} points deducted`)
        + (detail.score ? t(`；${detail.score.unitName} 当前得分 ${fmt(detail.score.total)}（第 ${detail.score.rank} 名）`,
          `; ${detail.score.unitName} now scores ${fmt(detail.score.total)} (rank ${detail.score.rank})`) : '')
      : t('联网后显示已同步的扣分和得分。', 'Synced deductions and the score show when online.');
    $('site-score').dataset.synced = detail ? String(detail.findings.length) : '';
  }

  async function openSite(siteId) {
    current = group.sites.find((s) => s.siteId === siteId);
    $('group').hidden = true;
    $('site').hidden = false;
    $('save-message').textContent = '';
    await render();
    window.scrollTo(0, 0);
    refreshDetail();
  }

  async function refreshDetail() {
    if (!current || !group) return;
    try {
      const res = await fetch(`/api/v1/inspections/groups/${group.id}/sites/${encodeURIComponent(current.siteId)}`,
        { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) serverDetail.set(current.siteId, await res.json());
    } catch { /* offline: keep what we had */ }
    await render();
  }

  $('back').addEventListener('click', async () => {
    current = null;
    $('site').hidden = true;
    $('group').hidden = false;
    await render();
  });

  $('finding-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const item = checklist.find((i) => i.indicatorId === $('indicator').value);
    const points = Number($('points').value);
    if (!item || !(points > 0) || points > item.deduction) {
      $('save-message').textContent = t(`扣分须在 0–${fmt(item ? item.deduction : 0)} 之间`, `The deduction must be above 0 and at most ${fmt(item ? item.deduction : 0)}`);
      return;
    }
    $('save').disabled = true;
    $('save-message').textContent = t('正在保存…', 'Saving…');
    try {
      const files = [...$('photos').files];
      const [where, photos] = await Promise.all([position(), Promise.all(files.map(downscale))]);
      const finding = {
        clientId: uuid(), groupId: group.id, siteId: current.siteId, indicatorId: item.indicatorId, points,
        note: $('note').value.trim(), latitude: where?.latitude ?? null, longitude: where?.longitude ?? null, accuracy: where?.accuracy ?? null,
        observedAt: new Date().toISOString(), state: 'pending', error: null, serverId: null,
        photos: photos.map((p, i) => ({ clientId: uuid(), blob: p.blob, name: `${current.name}-${item.indicatorId}-${i + 1}.jpg`, synced: false })),
      };
      await putFinding(finding);
      $('finding-form').reset();
      onIndicator();
      $('save-message').textContent = where ? t('已保存在手机上', 'Saved on the phone') : t('已保存在手机上（未获取到位置）', 'Saved on the phone (no position)');
      await render();
      if (navigator.onLine) sync();
    } finally {
      $('save').disabled = false;
    }
  });

  // ---------------------------------------------------------------- sync
  let syncing = false;
  const retryable = (status) => status === 401 || status === 408 || status === 429 || status >= 500;

  /** The anti-forgery header a write with the sign-in cookie must carry (fetched fresh before each sync); null when signed out. */
  async function antiforgery() {
    const res = await fetch('/api/v1/auth/antiforgery', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (res.status === 401) return null;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    return { [body.headerName]: body.requestToken };
  }

  async function problemText(res) {
    try {
      const p = await res.json();
      return [p.detail || p.title, ...Object.values(p.errors || {}).flat()].filter(Boolean).join(' ');
    } catch {
      return `HTTP ${res.status}`;
    }
  }

  async function sync() {
    if (syncing || !group) return;
    syncing = true;
    $('sync').disabled = true;
    $('sync-message').textContent = t('正在同步…', 'Syncing…');
    let offline = false;
    let expired = false;
    try {
      let csrf = null;
      try {
        csrf = await antiforgery();
        if (!csrf) expired = true;
      } catch {
        offline = true; // no network: nothing is sent, the findings wait on the phone
      }
      for (const f of csrf ? await allFindings() : []) {
        if (f.state === 'synced' || f.groupId !== group.id) continue;
        try {
          if (!f.serverId) {
            const res = await fetch(`/api/v1/inspections/groups/${f.groupId}/findings`, {
              method: 'POST', credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...csrf },
              body: JSON.stringify({
                clientId: f.clientId, siteId: f.siteId, indicatorId: f.indicatorId, points: f.points, note: f.note,
                latitude: f.latitude, longitude: f.longitude, accuracy: f.accuracy, observedAt: f.observedAt,
              }),
            });
            if (res.status === 401) { expired = true; break; }
            if (!res.ok) {
              if (retryable(res.status)) throw new Error(`HTTP ${res.status}`);
              f.state = 'failed';
              f.error = await problemText(res);
              await putFinding(f);
              continue;
            }
            const stored = await res.json();
            f.serverId = stored.id;
            f.factId = stored.factId;
            // Photos the server already has (a resumed upload) are not sent again.
            for (const p of f.photos) if (stored.photos.some((s) => s.clientId === p.clientId)) p.synced = true;
            await putFinding(f);
          }
          for (const p of f.photos) {
            if (p.synced) continue;
            const res = await fetch(`/api/v1/inspections/groups/${f.groupId}/findings/${f.clientId}/photos/${p.clientId}?fileName=${encodeURIComponent(p.name)}`, {
              method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': p.blob.type || 'image/jpeg', Accept: 'application/json', ...csrf }, body: p.blob,
            });
            if (res.status === 401) { expired = true; break; }
            if (!res.ok) {
              if (retryable(res.status)) throw new Error(`HTTP ${res.status}`);
              f.state = 'failed';
              f.error = t('照片未能上传：', 'A photo was refused: ') + await problemText(res);
              break;
            }
            p.synced = true;
            await putFinding(f);
          }
          if (expired) break;
          if (f.state !== 'failed' && f.photos.every((p) => p.synced)) {
            f.state = 'synced';
            f.error = null;
          }
          await putFinding(f);
        } catch {
          offline = true; // a network failure: stays 待同步 and is retried
          break;
        }
      }
    } finally {
      syncing = false;
      $('sync').disabled = false;
      $('sync-message').textContent = expired ? t('登录已过期：请重新登录后再同步，记录仍保存在手机上。', 'Signed out: sign in again to sync; the findings stay on the phone.')
        : offline ? t('网络不可用，记录保存在手机上，联网后自动同步。', 'No network: the findings stay on the phone and sync when it returns.')
          : t('同步完成', 'Sync done');
      await render();
      if (!offline && !expired) refreshDetail();
    }
  }

  $('sync').addEventListener('click', () => sync());

  function showNetwork() {
    $('net').textContent = navigator.onLine ? t('在线', 'online') : t('离线', 'offline');
    $('net').className = `tag ${navigator.onLine ? 'ok' : 'warn'}`;
  }
  window.addEventListener('online', () => { showNetwork(); sync(); });
  window.addEventListener('offline', showNetwork);
  showNetwork();

  // ---------------------------------------------------------------- service worker (scope: this page only)
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/js/inspection-sw.js', { scope: '/Inspections/Field' }).catch(() => { /* works online without it */ });
    navigator.serviceWorker.ready.then(() => {
      const show = () => { if (navigator.serviceWorker.controller) $('offline-ready').hidden = false; };
      show();
      navigator.serviceWorker.addEventListener('controllerchange', show);
    });
  }

  loadMine().then(() => { if (navigator.onLine) sync(); });
})();
