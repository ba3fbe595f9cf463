// Herald console: countdowns, live re-check while editing, and the sentiment dashboard.
// No inline script anywhere (the CSP forbids it); server HTML is autoescaped, user text is set
// with textContent only.
"use strict";

function pad(n) { return String(n).padStart(2, "0"); }

function formatSpan(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

function tickCountdowns() {
  const now = Date.now();
  document.querySelectorAll(".countdown[data-due]").forEach((el) => {
    const left = (Date.parse(el.dataset.due) - now) / 1000;
    const overdue = left < 0;
    el.classList.toggle("overdue", overdue);
    el.querySelector(".countdown-label").textContent =
      overdue ? el.dataset.labelOverdue : el.dataset.labelDue;
    el.querySelector(".countdown-time").textContent = formatSpan(left);
  });
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function wireLiveCheck(form) {
  const index = Number(form.dataset.rendition);
  const title = form.querySelector('[name="title"]');
  const body = form.querySelector('[name="body"]');
  const status = document.getElementById(`live-${index}-status`);
  const target = document.getElementById(`live-preview-${index}`);
  let timer = null;
  let seq = 0;
  const run = async () => {
    const mine = ++seq;
    const payload = {
      rendition: index,
      channel: form.querySelector('[name="channel"]').value,
      language: form.querySelector('[name="language"]').value,
      title: title ? title.value : "",
      body: body.value,
    };
    const response = await fetch(form.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(payload),
    });
    if (mine !== seq) return;  // a newer keystroke already asked again
    if (!response.ok) { status.textContent = `HTTP ${response.status}`; return; }
    const result = await response.json();
    target.innerHTML = result.html;  // server-rendered with autoescape
    status.textContent = result.summary;
    form.dataset.checked = String(mine);
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(run, 250); };
  body.addEventListener("input", later);
  if (title) title.addEventListener("input", later);
}

// The sentiment dashboard: one point per snapshot from the event stream (posts in the last
// minute and their negative share), a vertical line at each published update.
const SVG = "http://www.w3.org/2000/svg";

function svgEl(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

window.HeraldFeed = {
  points: [],
  markers: [],
  start() {
    const root = document.getElementById("feed");
    if (!root) return;
    this.root = root;
    this.events = 0;
    this.source = new EventSource(root.dataset.stream);
    this.source.addEventListener("snapshot", (e) => this.onSnapshot(JSON.parse(e.data)));
    this.draw();
  },
  onSnapshot(snap) {
    const mine = (snap.incidents || []).find((f) => f.incident_id === this.root.dataset.incident);
    this.events += 1;
    document.getElementById("events").textContent = String(this.events);
    document.getElementById("backlog").textContent = String(snap.backlog);
    document.getElementById("lag").textContent = String(snap.scoring_lag_s);
    const at = document.getElementById("snap-at");
    at.setAttribute("datetime", snap.at);
    at.textContent = new Date(snap.at).toISOString().slice(11, 19);
    if (!mine) return;
    const agg = mine.aggregate;
    const minute = agg.windows.find((w) => w.minutes === 1) || agg.windows[0];
    this.points.push({
      t: Date.parse(snap.at),
      volume: minute ? minute.volume : 0,
      negative: minute && minute.negative_share !== null ? minute.negative_share : 0,
    });
    if (this.points.length > 240) this.points.shift();
    this.markers = (agg.markers || []).map((m) => Date.parse(m.at));
    this.root.dataset.points = String(this.points.length);
    this.root.dataset.markers = String(this.markers.length);
    this.root.dataset.lastVolume = String(minute ? minute.volume : 0);
    this.showWindows(agg.windows);
    this.showConcerns(agg.windows[agg.windows.length - 1]);
    this.showPosts(mine.recent || []);
    this.showTone(mine.tone);
    document.getElementById("spike").hidden =
      !(agg.negative_spike.spiking || agg.volume_spike.spiking);
    this.draw();
  },
  showWindows(windows) {
    for (const w of windows) {
      const row = document.querySelector(`#windows tr[data-minutes="${w.minutes}"]`);
      if (!row) continue;
      row.querySelector(".w-volume").textContent = String(w.volume);
      row.querySelector(".w-negative").textContent =
        w.negative_share === null ? "–" : `${Math.round(w.negative_share * 100)}%`;
    }
  },
  showConcerns(window15) {
    const counts = (window15 && window15.concerns) || {};
    const max = Math.max(1, ...Object.values(counts));
    document.querySelectorAll("#concerns li").forEach((li) => {
      const n = counts[li.dataset.concern] || 0;
      li.querySelector(".n").textContent = String(n);
      li.querySelector(".bar").style.width = `${(100 * n) / max}%`;
    });
  },
  showPosts(posts) {
    const list = document.getElementById("posts");
    const items = posts.map((p) => {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.className = `label-${p.label || "none"}`;
      label.textContent = p.label ? list.dataset[`label${p.label[0].toUpperCase()}${p.label.slice(1)}`] : "";
      const concern = document.createElement("span");
      concern.className = "muted";
      const named = p.concern && document.querySelector(`#concerns li[data-concern="${p.concern}"] span`);
      concern.textContent = p.concern ? ` [${named ? named.textContent : p.concern}] ` : " ";
      const text = document.createElement("span");
      text.className = "post-text";
      text.textContent = p.text;  // user content: text only, never markup
      li.append(label, concern, text);
      return li;
    });
    list.replaceChildren(...items);
  },
  showTone(tone) {
    const list = document.getElementById("tone");
    const lines = [];
    if (tone.apologise) lines.push([list.dataset.apologise, ""]);
    if (tone.reassure_data_safety) lines.push([list.dataset.reassure, ""]);
    if (tone.shorten_cadence) lines.push([list.dataset.shorten, ""]);
    if (!lines.length) lines.push([list.dataset.none, ""]);
    for (const reason of tone.reasons || []) lines.push([reason, "muted"]);
    list.replaceChildren(...lines.map(([text, cls]) => {
      const li = document.createElement("li");
      li.textContent = text;
      if (cls) li.className = cls;
      return li;
    }));
  },
  draw() {
    const W = 600, H = 220, L = 40, R = 44, T = 12, B = 24;
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, "aria-hidden": "true" });
    svg.append(svgEl("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#595959" }));
    const pts = this.points;
    const times = pts.map((p) => p.t).concat(this.markers);
    const t0 = times.length ? Math.min(...times) : 0;
    const t1 = Math.max(t0 + 10000, ...(times.length ? times : [0]));
    const vmax = Math.max(1, ...pts.map((p) => p.volume));
    const x = (t) => L + ((W - L - R) * (t - t0)) / (t1 - t0);
    const yv = (v) => H - B - ((H - T - B) * v) / vmax;
    const yn = (s) => H - B - (H - T - B) * s;
    const label = (text, xx, yy, anchor) => {
      const el = svgEl("text", { x: xx, y: yy, "text-anchor": anchor });
      el.textContent = text;
      svg.append(el);
    };
    label(String(vmax), L - 4, T + 10, "end");
    label("0", L - 4, H - B, "end");
    label("100%", W - R + 4, T + 10, "start");
    for (const m of this.markers) {
      svg.append(svgEl("line", { class: "marker", x1: x(m), y1: T, x2: x(m), y2: H - B }));
    }
    if (pts.length) {
      const line = (cls, f) => svgEl("polyline", {
        class: cls, points: pts.map((p) => `${x(p.t).toFixed(1)},${f(p).toFixed(1)}`).join(" "),
      });
      svg.append(line("volume", (p) => yv(p.volume)), line("negative", (p) => yn(p.negative)));
      for (const p of pts) svg.append(svgEl("circle", { cx: x(p.t), cy: yv(p.volume), r: 2.5, fill: "#0b57d0" }));
    }
    const box = document.getElementById("chart");
    box.replaceChildren(svg);
  },
};

document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector(".countdown[data-due]")) {
    tickCountdowns();
    setInterval(tickCountdowns, 1000);
  }
  document.querySelectorAll("form.edit-form[data-check-url]").forEach(wireLiveCheck);
  const flash = document.getElementById("flash");
  if (flash && flash.getAttribute("role") === "alert") flash.setAttribute("tabindex", "-1");
  if (window.HeraldFeed) window.HeraldFeed.start();
});
