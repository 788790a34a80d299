// The draft page: send the draft to /v1/drafts/check and show it highlighted, flag by flag.
// Every piece of user text goes into the page with textContent, never as HTML.
(function () {
  "use strict";
  var NAMES = {
    id: { method_or_location: "Cara atau lokasi", graphic: "Detail grafis", sensational: "Sensasional",
          glorifying: "Mengagungkan", single_cause: "Satu penyebab", stigmatizing_language: "Kata yang menstigma",
          missing_help_info: "Belum ada info bantuan" },
    en: { method_or_location: "Method or location", graphic: "Graphic detail", sensational: "Sensational",
          glorifying: "Glorifying", single_cause: "Single cause", stigmatizing_language: "Stigmatizing words",
          missing_help_info: "No help information" }
  };
  var HELP = {
    id: "Kalau kamu sedang berat, cerita ke orang yang kamu percaya atau hubungi layanan ini (gratis dan rahasia): ",
    en: "If you are going through a hard time, talk to someone you trust or contact these free, confidential services: "
  };
  var $ = function (id) { return document.getElementById(id); };
  var stored = window.sessionStorage.getItem("ruangaman-key");
  if (stored) { $("key").value = stored; }

  function status(text, cls) { var s = $("status"); s.textContent = text; s.className = cls || ""; }

  async function api(path, options) {
    var key = $("key").value.trim();
    options = options || {};
    options.headers = Object.assign({ "Authorization": "Bearer " + key }, options.headers || {});
    var r = await fetch(path, options);
    var body = await r.json();
    if (!r.ok) { throw new Error((body.error && body.error.message) || ("HTTP " + r.status)); }
    return body;
  }

  // Spans count Unicode code points (as Python does); JavaScript strings count UTF-16 units.
  function highlight(text, flags) {
    var chars = Array.from(text);
    var marks = flags.filter(function (f) { return typeof f.start === "number"; })
                     .sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var view = $("draft-view");
    view.textContent = "";
    var pos = 0;
    marks.forEach(function (f) {
      if (f.start < pos) { return; }  // overlapping flag: the earlier mark already covers it
      view.appendChild(document.createTextNode(chars.slice(pos, f.start).join("")));
      var m = document.createElement("mark");
      m.className = f.flag;
      m.dataset.flag = f.flag;
      m.title = f.flag;
      m.textContent = chars.slice(f.start, f.end).join("");
      view.appendChild(m);
      pos = f.end;
    });
    view.appendChild(document.createTextNode(chars.slice(pos).join("")));
  }

  async function helplineText(lang) {
    try {
      var body = await api("/v1/helplines?lang=" + lang);
      var names = body.services.filter(function (s) { return s.kind === "crisis"; }).slice(0, 3)
        .map(function (s) { return s.name + " (" + Object.values(s.contacts).join(", ") + ")"; });
      return HELP[lang] + names.join("; ") + ".";
    } catch (e) {
      return HELP[lang] + "SEJIWA 119 ext 8, healing119.id.";
    }
  }

  $("form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var text = $("draft").value;
    $("check").disabled = true;
    document.body.dataset.state = "checking";
    status("Memeriksa... / Checking...");
    try {
      window.sessionStorage.setItem("ruangaman-key", $("key").value.trim());
      var report = await api("/v1/drafts/check", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, surface: $("surface").value })
      });
      var lang = report.language === "en" ? "en" : "id";
      $("score").textContent = report.score.toFixed(2);
      $("verdict").textContent = report.flags.length ? "" : (lang === "en" ? "Follows the guidelines." : "Sudah sesuai pedoman.");
      $("verdict").className = report.flags.length ? "" : "ok";
      highlight(text, report.flags);
      var list = $("flags");
      list.textContent = "";
      report.flags.forEach(function (f) {
        var li = document.createElement("li");
        li.dataset.flag = f.flag;
        var name = document.createElement("strong");
        name.textContent = NAMES[lang][f.flag] || f.flag;
        li.appendChild(name);
        if (typeof f.start === "number") {
          var quote = document.createElement("q");
          quote.textContent = Array.from(text).slice(f.start, f.end).join("");
          li.appendChild(document.createTextNode(" "));
          li.appendChild(quote);
        }
        var tip = document.createElement("div");
        tip.className = "suggestion";
        tip.textContent = f.suggestion;
        li.appendChild(tip);
        var g = document.createElement("div");
        g.className = "guideline";
        g.textContent = f.guideline;
        li.appendChild(g);
        list.appendChild(li);
      });
      var needsHelp = report.flags.some(function (f) { return f.flag === "missing_help_info"; });
      $("helpline").hidden = !needsHelp;
      if (needsHelp) { $("helpline-text").textContent = await helplineText(lang); }
      $("result").hidden = false;
      status(report.flags.length + (lang === "en" ? " flag(s)." : " catatan."));
    } catch (e) {
      $("result").hidden = true;
      status(e.message, "error");
    } finally {
      $("check").disabled = false;
      document.body.dataset.state = "done";  // for people's tools and tests: the answer is on the page
    }
  });
})();
