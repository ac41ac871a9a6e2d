/* tocsin status banner. Include with
 *   <script src="https://status.example.com/embed/banner.js" async data-lang="en" data-position="top"></script>
 * It reads <its own origin>/embed/status.json once a minute and shows one line per active
 * incident or maintenance; with nothing active it shows nothing. No dependencies, no
 * cookies, no HTML from the server: every text goes in through textContent. Styles are set
 * on the elements themselves, so a page's Content-Security-Policy without 'unsafe-inline'
 * styles does not break it, and nothing leaks into or out of the page's own CSS. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch) return;
  var origin = new URL(script.src).origin;
  var lang = script.getAttribute('data-lang') || '';
  var position = script.getAttribute('data-position') === 'bottom' ? 'bottom' : 'top';
  var refresh = parseInt(script.getAttribute('data-refresh') || '60', 10);
  if (!(refresh >= 5)) refresh = 60;
  // By impact; an open incident without impact is grey, never the green of "all is well".
  var colors = { none: '#57606a', minor: '#8a5a00', major: '#b4410b', critical: '#b91c1c', maintenance: '#1d4ed8' };
  var box = null;
  var shown = ''; // what the banner shows now, so that an unchanged refresh is not re-announced

  function css(el, rules) {
    for (var k in rules) el.style.setProperty(k, rules[k]);
    return el;
  }

  function safeUrl(u) {
    try {
      var url = new URL(u, origin);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : origin + '/';
    } catch (e) {
      return origin + '/';
    }
  }

  function item(entry, color) {
    var a = css(document.createElement('a'), {
      display: 'block', padding: '6px 12px', color: '#fff', background: color,
      'text-decoration': 'none', font: '14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
    });
    a.setAttribute('data-tocsin-item', String(entry.id));
    a.href = safeUrl(entry.url);
    a.rel = 'noopener';
    var name = document.createElement('strong');
    name.textContent = String(entry.name);
    var label = document.createElement('span');
    label.textContent = ' \u2013 ' + String(entry.status_label || entry.status);
    a.appendChild(name);
    a.appendChild(label);
    return a;
  }

  function render(doc) {
    var all = (doc.incidents || []).concat(doc.maintenances || []);
    var signature = JSON.stringify(all.map(function (e) { return [e.id, e.name, e.status_label, e.url]; }));
    if (signature === shown && (box !== null) === (all.length > 0)) return;
    shown = signature;
    var entries = [];
    (doc.incidents || []).forEach(function (i) { entries.push(item(i, colors[i.impact] || colors.major)); });
    (doc.maintenances || []).forEach(function (m) { entries.push(item(m, colors.maintenance)); });
    if (!entries.length) {
      if (box) box.remove();
      box = null;
      return;
    }
    var fresh = css(document.createElement('div'), { margin: '0', padding: '0', width: '100%' });
    fresh.setAttribute('data-tocsin-banner', '');
    fresh.setAttribute('role', 'status');
    fresh.setAttribute('aria-label', String((doc.page && doc.page.name) || 'Status'));
    entries.forEach(function (e) { fresh.appendChild(e); });
    if (box) {
      box.replaceWith(fresh);
    } else if (position === 'bottom') {
      document.body.appendChild(fresh);
    } else {
      document.body.insertBefore(fresh, document.body.firstChild);
    }
    box = fresh;
  }

  function load() {
    var url = origin + '/embed/status.json' + (lang ? '?lang=' + encodeURIComponent(lang) : '');
    fetch(url, { credentials: 'omit', cache: 'no-cache', referrerPolicy: 'no-referrer' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) { if (doc) render(doc); })
      .catch(function () { /* keep what is shown; try again at the next tick */ });
  }

  function start() {
    load();
    setInterval(function () { if (!document.hidden) load(); }, refresh * 1000);
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
