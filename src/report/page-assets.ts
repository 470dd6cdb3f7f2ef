/**
 * The report page's inline style sheet and script. The script makes every inline chart interactive:
 * hovering shows the nearest data point of an x/y panel (or a bar's / image's `data-tip`) in a tooltip,
 * and clicking (or Enter / Space on) a legend entry hides or shows that series in every panel of the
 * chart. It reads the hover data from `<script type="application/json" id="mia-hover">` (chart id →
 * HoverPanel[], see ./svg-panels.ts) and makes no network request.
 */

export const PAGE_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f6f4; color: #1d1d1d; font: 15px/1.5 'DejaVu Sans', Verdana, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #e6e6e6; }
h3 { font-size: 16px; margin: 22px 0 8px; }
.sub { color: #555; margin: 0 0 16px; }
nav { font-size: 13.5px; margin: 8px 0 20px; }
nav a { margin-right: 14px; color: #0b5aa2; }
.verdict { border-left: 6px solid #888; background: #f7f7f7; padding: 12px 16px; margin: 10px 0 14px; font-size: 16px; }
.verdict.level-high { border-color: #b42318; background: #fdf1f0; }
td.red { background: #fdf1f0; color: #b42318; font-weight: 700; }
.verdict.level-moderate { border-color: #c26a00; background: #fff6ea; }
.verdict.level-low { border-color: #0b72b9; background: #eef6fc; }
.verdict.level-none-measured { border-color: #2e7d32; background: #eff7ef; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
.card { flex: 1 1 180px; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 12px; }
.card .v { font-size: 24px; font-weight: bold; }
.card .l { font-size: 12.5px; color: #555; font-weight: bold; }
.card .d { font-size: 12.5px; color: #444; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
th { background: #f2f2f2; }
td.t, th.t { text-align: left; }
tr.small td, td.small { color: #999; background: #f3f3f3; }
.scroll { overflow-x: auto; }
figure { margin: 18px 0 30px; }
figure svg.mia-chart-svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 13.5px; color: #444; margin-top: 6px; max-width: 900px; }
figcaption a { color: #0b5aa2; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 10px 12px; overflow-x: auto; font-size: 12.5px; }
.note { font-size: 12.5px; color: #555; }
.mia-legend-item { cursor: pointer; }
.mia-legend-item:focus { outline: 2px solid #0b5aa2; outline-offset: 1px; }
.mia-legend-item.mia-off { opacity: .32; }
.mia-hidden { display: none; }
#mia-tip { position: fixed; z-index: 10; pointer-events: none; background: rgba(25,25,25,.92); color: #fff; font-size: 12.5px; line-height: 1.4; padding: 6px 9px; border-radius: 4px; white-space: pre; max-width: 480px; }
footer { margin-top: 40px; font-size: 12.5px; color: #666; }
details { margin: 6px 0 14px; }
details > summary { cursor: pointer; font-weight: bold; font-size: 15px; padding: 4px 0; }
@media print { body { background: #fff; } main { max-width: none; } #mia-tip { display: none; } }
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var dataEl = document.getElementById('mia-hover');
  var hoverData = dataEl ? JSON.parse(dataEl.textContent || '{}') : {};
  var tip = document.getElementById('mia-tip');
  function fmt(v, f) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v);
    if (f === 'integer') return String(Math.round(v));
    if (f === 'percent') return Number((v * 100).toPrecision(4)) + '%';
    return String(Number(v.toPrecision(4)));
  }
  function short(label) { return label.replace(/\\s*\\(.*\\)\\s*$/, ''); }
  function show(text, ev) {
    tip.textContent = text;
    tip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 8) x = ev.clientX - r.width - 14;
    if (y + r.height > window.innerHeight - 8) y = ev.clientY - r.height - 14;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hide() { tip.hidden = true; }
  Array.prototype.forEach.call(document.querySelectorAll('svg.mia-chart-svg'), function (svg) {
    var panels = hoverData[svg.getAttribute('data-chart')] || [];
    var hidden = {};
    var dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('r', '5.5');
    dot.setAttribute('fill', 'none');
    dot.setAttribute('stroke-width', '2.5');
    dot.setAttribute('pointer-events', 'none');
    dot.setAttribute('visibility', 'hidden');
    svg.appendChild(dot);
    Array.prototype.forEach.call(svg.querySelectorAll('.mia-legend-item'), function (item) {
      function toggle() {
        var key = item.getAttribute('data-series');
        var off = !hidden[key];
        hidden[key] = off;
        item.setAttribute('aria-pressed', String(!off));
        item.classList.toggle('mia-off', off);
        Array.prototype.forEach.call(svg.querySelectorAll('[data-series]'), function (el) {
          if (el !== item && !el.classList.contains('mia-legend-item') && el.getAttribute('data-series') === key) {
            el.classList.toggle('mia-hidden', off);
          }
        });
      }
      item.addEventListener('click', toggle);
      item.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); }
      });
    });
    svg.addEventListener('mousemove', function (ev) {
      var t = ev.target;
      var tipText = t && t.getAttribute ? t.getAttribute('data-tip') : null;
      if (tipText) { dot.setAttribute('visibility', 'hidden'); show(tipText, ev); return; }
      var ctm = svg.getScreenCTM();
      if (!ctm) return;
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var p = pt.matrixTransform(ctm.inverse());
      var best = null, bestD = 26 * 26;
      panels.forEach(function (panel) {
        if (panel.kind !== 'xy') return;
        var b = panel.box;
        if (p.x < b[0] - 12 || p.x > b[2] + 12 || p.y < b[1] - 12 || p.y > b[3] + 12) return;
        panel.series.forEach(function (s) {
          if (hidden[s.k]) return;
          for (var i = 0; i < s.px.length; i++) {
            var dx = s.px[i] - p.x, dy = s.py[i] - p.y, d = dx * dx + dy * dy;
            if (d < bestD) { bestD = d; best = { panel: panel, s: s, i: i }; }
          }
        });
      });
      if (!best) { dot.setAttribute('visibility', 'hidden'); hide(); return; }
      dot.setAttribute('cx', best.s.px[best.i]);
      dot.setAttribute('cy', best.s.py[best.i]);
      dot.setAttribute('stroke', best.s.c);
      dot.setAttribute('visibility', 'visible');
      show(best.s.n + '\\n' + short(best.panel.xLabel) + ': ' + fmt(best.s.x[best.i], best.panel.xFormat) +
        '\\n' + short(best.panel.yLabel) + ': ' + fmt(best.s.y[best.i], best.panel.yFormat), ev);
    });
    svg.addEventListener('mouseleave', function () { dot.setAttribute('visibility', 'hidden'); hide(); });
  });
})();
`;
