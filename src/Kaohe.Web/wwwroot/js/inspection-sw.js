// Service worker of the 实地考核 page only (registered with scope /Inspections/Field; the server
// sends Service-Worker-Allowed for this file). It keeps the page shell, its script and style, and
// the group's site list and checklist, so that a whole site can be worked with no network. Requests
// go to the network first and fall back to the copy; writes (POST/PUT) are never cached: the page
// queues them in IndexedDB itself.
const CACHE = 'kaohe-field-v1';
const SHELL = ['/Inspections/Field', '/api/v1/inspections/mine', '/js/inspections-field.js', '/css/site.css'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('kaohe-field-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

const cacheable = (url) => url.origin === self.location.origin && (
  url.pathname === '/Inspections/Field' || url.pathname.startsWith('/js/') || url.pathname.startsWith('/css/')
  || (url.pathname.startsWith('/api/v1/inspections/') && !url.pathname.includes('/photos/')));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!cacheable(url)) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      // Only a real answer is kept: not a redirect to the sign-in page, not an error.
      if (response.ok && !response.redirected && response.type === 'basic') {
        const copy = response.clone();
        const cache = await caches.open(CACHE);
        await cache.put(url.pathname.startsWith('/js/') || url.pathname.startsWith('/css/') ? url.pathname : request, copy);
      }
      return response;
    } catch (error) {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request) || await cache.match(url.pathname) || await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      if (request.mode === 'navigate') {
        const shell = await cache.match('/Inspections/Field');
        if (shell) return shell;
      }
      throw error;
    }
  })());
});
