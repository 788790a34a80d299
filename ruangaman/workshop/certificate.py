"""Certificates: an unguessable verification code, and the certificate as HTML (and PDF).

The code is the certificate's only key: 80 random bits from :mod:`secrets`, written in
Crockford base32 so it can be read aloud and typed (``MM-7K2Q-...``).  Whoever holds it
can check the certificate at ``/v1/certificates/{code}``; guessing one is hopeless, and a
mistyped or altered code simply is not found.
"""

from __future__ import annotations

import html
import re
import secrets
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

__all__ = ["CODE_PREFIX", "new_code", "normalize_code", "render_html", "render_pdf", "issued_on"]

CODE_PREFIX = "MM"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_CODE = re.compile(rf"^{CODE_PREFIX}-[{_ALPHABET}]{{4}}(?:-[{_ALPHABET}]{{4}}){{3}}$")
_WIB = timezone(timedelta(hours=7), "WIB")  # the program runs on Jakarta time
PROGRAM = {"id": "Mindful Makers: lokakarya pesan aman tentang bunuh diri dan kesehatan jiwa",
           "en": "Mindful Makers: a workshop on safe messaging about suicide and mental health"}
GUIDELINES = ("WHO/IASP, Preventing suicide: a resource for media professionals (2023)",
              "#chatsafe, a young person's guide for communicating safely online about suicide (incl. influencers)",
              "Peraturan Dewan Pers 2/2019, Pedoman Pemberitaan Terkait Tindak dan Upaya Bunuh Diri")


def new_code() -> str:
    """A fresh verification code: ``MM-`` and 16 Crockford base32 characters (80 random bits)."""
    n = secrets.randbits(80)
    chars = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(16))
    return f"{CODE_PREFIX}-" + "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def normalize_code(code: Any) -> str | None:
    """The canonical form of a code as people type it (case, spaces, hyphens, O/0 and I/L/1), or None."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    s = re.sub(r"[\s-]", "", code).upper()
    if not s.startswith(CODE_PREFIX):
        return None
    body = s[len(CODE_PREFIX):].replace("O", "0").replace("I", "1").replace("L", "1")
    if len(body) != 16:
        return None
    canonical = f"{CODE_PREFIX}-" + "-".join(body[i:i + 4] for i in range(0, 16, 4))
    return canonical if _CODE.match(canonical) else None


def issued_on(ts: float) -> str:
    """The issue date as printed (Jakarta time)."""
    return datetime.fromtimestamp(ts, _WIB).date().isoformat()


_PLATFORM_NAMES = {"tiktok": "TikTok", "instagram": "Instagram", "youtube": "YouTube", "x": "X",
                   "facebook": "Facebook", "threads": "Threads"}


def _lines(cert: Mapping[str, Any]) -> dict[str, Any]:
    d = cert["details"]
    return {
        "handle": "@" + d["handle"], "platform": _PLATFORM_NAMES.get(d["platform"], d["platform"]), "cohort": d["cohort"]["name"],
        "dates": f"{d['cohort']['starts_on']} – {d['cohort']['ends_on']}", "issued": issued_on(cert["issued_at"]),
        "code": cert["code"], "attended": f"{d['attendance']['attended']}/{d['attendance']['sessions']}",
        "modules": ", ".join(f"{m} {s:.0%}" for m, s in sorted(d["quiz"].items())),
        "drafts": str(d["drafts"]["passing"]), "revoked": cert.get("revoked_at") is not None,
    }


def render_html(cert: Mapping[str, Any]) -> str:
    """A self-contained page (no scripts, no outside resources) for a certificate row."""
    v = {k: html.escape(x) if isinstance(x, str) else x for k, x in _lines(cert).items()}
    guidelines = "".join(f"<li>{html.escape(g)}</li>" for g in GUIDELINES)
    revoked = ('<p class="revoked">Sertifikat ini telah dicabut. / This certificate has been revoked.</p>'
               if v["revoked"] else "")
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sertifikat Mindful Makers – {v['handle']}</title>
<style>
body {{ font-family: Georgia, 'Times New Roman', serif; background: #f4f1ea; color: #222; margin: 0; }}
main {{ max-width: 46rem; margin: 2rem auto; background: #fff; border: 6px double #2f5d50; padding: 2.5rem 3rem; }}
h1 {{ color: #2f5d50; font-size: 2rem; margin: 0 0 .2rem; text-align: center; }}
.en {{ color: #555; font-style: italic; }}
.center {{ text-align: center; }}
.handle {{ font-size: 1.8rem; font-weight: bold; margin: .8rem 0 .2rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 1.5rem 0; }}
dt {{ font-weight: bold; }}
.code {{ font-family: 'DejaVu Sans Mono', monospace; font-size: 1.2rem; letter-spacing: .05em; }}
.revoked {{ background: #8b1e1e; color: #fff; padding: .6rem; text-align: center; font-weight: bold; }}
small, .small {{ color: #555; font-size: .85rem; }}
</style>
</head>
<body>
<main>
{revoked}
<h1>Sertifikat</h1>
<p class="center en">Certificate of completion</p>
<p class="center">Diberikan kepada <span class="en">/ awarded to</span></p>
<p class="center handle">{v['handle']}</p>
<p class="center">{v['platform']}</p>
<p class="center">telah menyelesaikan <strong>{html.escape(PROGRAM['id'])}</strong><br>
<span class="en">has completed {html.escape(PROGRAM['en'])}</span></p>
<dl>
<dt>Angkatan <span class="en">/ cohort</span></dt><dd>{v['cohort']} ({v['dates']})</dd>
<dt>Kehadiran <span class="en">/ attendance</span></dt><dd>{v['attended']}</dd>
<dt>Kuis modul <span class="en">/ module quizzes</span></dt><dd>{v['modules']}</dd>
<dt>Draf lolos cek <span class="en">/ drafts passing the check</span></dt><dd>{v['drafts']}</dd>
<dt>Tanggal terbit <span class="en">/ issued</span></dt><dd>{v['issued']}</dd>
<dt>Kode verifikasi <span class="en">/ verification code</span></dt><dd class="code">{v['code']}</dd>
</dl>
<p><small>Pedoman <span class="en">/ guidelines</span>:</small></p>
<ul class="small">{guidelines}</ul>
<p><small>Periksa keaslian di <span class="en">/ verify at</span> <code>/v1/certificates/{v['code']}</code></small></p>
</main>
</body>
</html>
"""


def _latin1(text: str) -> str:
    """PDF core fonts speak Latin-1: fold the rest to the nearest letters (handles are ASCII anyway)."""
    text = text.translate({0x2013: "-", 0x2014: "-", 0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"',
                           0x2026: "..."})
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(folded or "?")
    return "".join(out)


def render_pdf(cert: Mapping[str, Any]) -> bytes:
    """The certificate as a one-page A4 landscape PDF (fpdf2, core fonts, no outside files)."""
    from fpdf import FPDF

    v = _lines(cert)
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_creation_date(datetime.fromtimestamp(cert["issued_at"], timezone.utc))
    pdf.set_title(_latin1(f"Sertifikat Mindful Makers - {v['handle']}"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(47, 93, 80)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, 271, 184)

    def line(text: str, size: float, style: str = "", h: float = 9, color: tuple[int, int, int] = (34, 34, 34)) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*color)
        pdf.cell(0, h, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(22)
    if v["revoked"]:
        line("DICABUT / REVOKED", 16, "B", color=(139, 30, 30))
    line("SERTIFIKAT", 30, "B", h=14, color=(47, 93, 80))
    line("Certificate of completion", 13, "I", color=(85, 85, 85))
    pdf.ln(4)
    line("Diberikan kepada / awarded to", 12)
    line(v["handle"], 26, "B", h=14)
    line(v["platform"], 12)
    pdf.ln(3)
    line("telah menyelesaikan " + PROGRAM["id"], 12)
    line("has completed " + PROGRAM["en"], 11, "I", color=(85, 85, 85))
    pdf.ln(5)
    line(f"Angkatan / cohort: {v['cohort']} ({v['dates']})", 12)
    line(f"Kehadiran / attendance {v['attended']}   Kuis / quizzes: {v['modules']}   "
         f"Draf lolos / drafts passing: {v['drafts']}", 10, h=7)
    line(f"Tanggal terbit / issued: {v['issued']}", 12)
    pdf.ln(4)
    line("Kode verifikasi / verification code", 10, h=6)
    pdf.set_font("Courier", "B", 18)
    pdf.cell(0, 10, v["code"], align="C", new_x="LMARGIN", new_y="NEXT")
    line(f"/v1/certificates/{v['code']}", 9, h=6, color=(85, 85, 85))
    pdf.set_y(172)
    for g in GUIDELINES:
        line(g, 8, h=5, color=(85, 85, 85))
    return bytes(pdf.output())
