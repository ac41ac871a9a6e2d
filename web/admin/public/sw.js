// tocsin's admin service worker (served at /admin/sw.js, scope /admin/): shows the Web Push
// pages the server sends and opens the acknowledge link (a confirm page) when one is tapped.
// The payload is JSON: title, body, incident_id, urgency, open_url, ack_url, resolve_url.
'use strict';

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function German() {
  return (self.navigator && self.navigator.language ? self.navigator.language : '').toLowerCase().startsWith('de');
}

self.addEventListener('push', (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (e) {
      data = { body: event.data.text() };
    }
  }
  const de = German();
  const actions = [];
  if (data.ack_url) actions.push({ action: 'ack', title: de ? 'Bestätigen' : 'Acknowledge' });
  if (data.open_url) actions.push({ action: 'open', title: de ? 'Öffnen' : 'Open' });
  const options = {
    body: data.body || '',
    tag: data.incident_id || undefined,
    renotify: Boolean(data.incident_id),
    requireInteraction: data.urgency === 'high',
    data: { ack_url: data.ack_url || '', open_url: data.open_url || '' },
    actions,
  };
  event.waitUntil(self.registration.showNotification(data.title || 'tocsin', options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const d = event.notification.data || {};
  // The body itself and "Acknowledge" open the ack link: a page that asks before it acts.
  const url = event.action === 'open' ? d.open_url || d.ack_url : d.ack_url || d.open_url;
  event.waitUntil(self.clients.openWindow(url || '/admin/'));
});
