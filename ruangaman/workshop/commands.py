"""`ruangaman workshop ...`: Mindful Makers for program staff, on the service's database.

Ids go to stdout (so scripts can capture them), explanations to stderr.  Exit status: 0 done,
1 not found / not complete / already there, 2 a bad argument or an unusable database.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import typer

from ruangaman.service.commands import DataDirOpt, _settings, _store

__all__ = ["workshop_app"]

workshop_app = typer.Typer(no_args_is_help=True, help="Mindful Makers: cohorts, sessions, enrolment, attendance, "
                                                     "creator keys, progress, certificates.")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


@contextmanager
def _workshop(data_dir: Optional[Path]) -> Iterator[Any]:
    from ruangaman.privacy import Hasher
    from ruangaman.workshop import Workshop

    settings = _settings(data_dir)
    store = _store(settings)
    try:
        yield Workshop(store, Hasher(settings.secret_key))
    finally:
        store.close()


def _run(data_dir: Optional[Path], fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(workshop)``; a refused request is a message and an exit status, not a traceback."""
    from ruangaman.workshop import WorkshopError

    with _workshop(data_dir) as ws:
        try:
            return fn(ws)
        except WorkshopError as e:
            typer.echo(f"error: {e}", err=True)
            for reason in e.details or ():
                typer.echo(f"  - {reason['rule']}: {reason['message']}", err=True)
            raise typer.Exit(2 if e.status == 422 else 1) from None


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


@workshop_app.command("cohort-create")
def cohort_create(
    name: str = typer.Option(..., help="The cohort's name, e.g. 'Angkatan 1 Jakarta 2026'."),
    starts_on: str = typer.Option(..., help="First day (YYYY-MM-DD)."),
    ends_on: str = typer.Option(..., help="Last day (YYYY-MM-DD)."),
    min_attendance: float = typer.Option(0.8, help="Share of the sessions a creator must attend."),
    quiz_pass: float = typer.Option(0.8, help="Score that passes a module quiz."),
    drafts_required: int = typer.Option(3, help="Different drafts that must pass the check."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Create a cohort; prints its id."""
    c = _run(data_dir, lambda ws: ws.create_cohort(name, starts_on, ends_on, min_attendance=min_attendance,
                                                   quiz_pass=quiz_pass, drafts_required=drafts_required))
    typer.echo(c["id"])
    typer.echo(f"cohort {c['name']!r} {c['starts_on']}..{c['ends_on']}: attend {c['rules']['min_attendance']:.0%}, "
               f"quizzes >= {c['rules']['quiz_pass']:g}, {c['rules']['drafts_required']} passing drafts", err=True)


@workshop_app.command("cohorts")
def cohort_list(as_json: bool = JsonOpt, data_dir: Optional[Path] = DataDirOpt) -> None:
    """List cohorts with their counts of sessions, creators and certificates."""
    rows = _run(data_dir, lambda ws: ws.list_cohorts())
    if as_json:
        return _print_json(rows)
    for c in rows:
        typer.echo(f"{c['id']}  {c['starts_on']}..{c['ends_on']}  sessions {c['sessions']:2}  creators "
                   f"{c['creators']:3}  certificates {c['certificates']:3}  {c['name']}")


@workshop_app.command("cohort")
def cohort_show(cohort_id: str = typer.Argument(..., help="The cohort id (co-...)."), as_json: bool = JsonOpt,
                data_dir: Optional[Path] = DataDirOpt) -> None:
    """Show a cohort: rules, schedule, enrolled creators."""
    c = _run(data_dir, lambda ws: ws.cohort(cohort_id))
    if as_json:
        return _print_json(c)
    typer.echo(f"{c['id']}  {c['name']}  {c['starts_on']}..{c['ends_on']}")
    for s in c["sessions"]:
        typer.echo(f"  session {s['id']}  {s['starts_at']}  [{s['module']}] {s['title']}")
    for x in c["creators"]:
        typer.echo(f"  creator {x['id']}  @{x['handle']} ({x['platform']}, {x['follower_band']}, region {x['region']})")


@workshop_app.command("session-add")
def session_add(
    cohort_id: str = typer.Argument(..., help="The cohort id (co-...)."),
    title: str = typer.Option(..., help="The session's title."),
    module: str = typer.Option(..., help="Quiz module taught: bahasa, detail, harapan, cerita or berita."),
    starts_at: str = typer.Option(..., help="Date and time within the cohort (YYYY-MM-DDTHH:MM)."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Add a session to a cohort's schedule; prints its id."""
    s = _run(data_dir, lambda ws: ws.add_session(cohort_id, title, module, starts_at))
    typer.echo(s["id"])
    typer.echo(f"session {s['starts_at']} [{s['module']}] {s['title']}", err=True)


@workshop_app.command("enrol")
def enrol(
    cohort_id: str = typer.Argument(..., help="The cohort id (co-...)."),
    handle: str = typer.Option(..., help="Public handle, e.g. @rani.kreator."),
    platform: str = typer.Option(..., help="tiktok, instagram, youtube, x, facebook, threads or other."),
    follower_band: str = typer.Option(..., help="nano (<10k), micro (10k-100k), mid (100k-500k), macro (500k-1M), "
                                                "mega (>1M)."),
    region: str = typer.Option(..., help="BPS province or regency code, e.g. 31 or 32.73."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Enrol a creator in a cohort; prints the creator id."""
    c = _run(data_dir, lambda ws: ws.enrol(cohort_id, handle, platform, follower_band, region))
    typer.echo(c["id"])
    typer.echo(f"enrolled @{c['handle']} ({c['platform']}) in {c['cohort_id']}", err=True)


@workshop_app.command("attend")
def attend(
    session_id: str = typer.Argument(..., help="The session id (se-...)."),
    present: List[str] = typer.Option([], "--present", help="A creator id present (repeat the option)."),
    absent: List[str] = typer.Option([], "--absent", help="A creator id absent (repeat; corrects an earlier mark)."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Record attendance at a session."""
    r = _run(data_dir, lambda ws: ws.record_attendance(session_id, present, absent))
    typer.echo(f"session {r['session_id']}: {len(r['present'])} present, {len(r['absent'])} absent")


@workshop_app.command("creator-key")
def creator_key(creator_id: str = typer.Argument(..., help="The creator id (cr-...)."),
                data_dir: Optional[Path] = DataDirOpt) -> None:
    """Create the creator's API key (role creator, sees only this creator); printed once."""
    secret, info = _run(data_dir, lambda ws: ws.creator_key(creator_id))
    typer.echo(secret)
    typer.echo(f"key {info.key_id} for {info.name} (role creator, creator {info.client}); "
               "give it to the creator now, it is not shown again", err=True)


@workshop_app.command("progress")
def progress(creator_id: str = typer.Argument(..., help="The creator id (cr-...)."), as_json: bool = JsonOpt,
             data_dir: Optional[Path] = DataDirOpt) -> None:
    """A creator's attendance, quizzes, drafts over time and what is left to complete."""
    p = _run(data_dir, lambda ws: ws.progress(creator_id))
    if as_json:
        return _print_json(p)
    c, a, q, d = p["creator"], p["attendance"], p["quiz"], p["drafts"]
    typer.echo(f"@{c['handle']} ({c['platform']}) in {p['cohort']['name']}")
    typer.echo(f"attendance  {a['attended']}/{a['sessions']} (needs {a['required']})")
    for m, v in q["modules"].items():
        best = "-" if v["best"] is None else f"{v['best']:.2f}"
        typer.echo(f"quiz {m:8} best {best} in {v['attempts']} attempt(s){'  passed' if v['passed'] else ''}")
    t = d["trend"]
    trend = "" if t["slope"] is None else f"  ({'falling' if t['falling'] else 'not falling'}, slope {t['slope']:+.2f})"
    typer.echo(f"drafts      {d['passing']}/{d['required']} passing; flags per draft {d['flags_per_draft']}{trend}")
    if p["certificate"]:
        typer.echo(f"certificate {p['certificate']['code']} ({p['certificate']['status']})")
    elif p["completion"]["complete"]:
        typer.echo("complete: issue the certificate with `ruangaman workshop complete`")
    for r in p["completion"]["reasons"]:
        typer.echo(f"to do: {r['message']}")


@workshop_app.command("report")
def report(cohort_id: str = typer.Argument(..., help="The cohort id (co-...)."), as_json: bool = JsonOpt,
           data_dir: Optional[Path] = DataDirOpt) -> None:
    """The program report of a cohort: completion, and mean flags per draft over time."""
    r = _run(data_dir, lambda ws: ws.report(cohort_id))
    if as_json:
        return _print_json(r)
    typer.echo(f"{r['cohort']['name']}: {r['creators']} creators, {r['complete']} complete, "
               f"{r['certificates']} certificates; flags falling for {r['falling']['creators']} of {r['falling']['of']}")
    for row in r["flags_by_draft"]:
        typer.echo(f"  draft {row['draft']:2}  mean flags {row['mean_flags']:.2f}  ({row['creators']} creators)")
    for p in r["people"]:
        typer.echo(f"  @{p['creator']['handle']:24} attended {p['attended']}  drafts {p['drafts_passing']} passing "
                   f"of {p['drafts_checked']}  flags {p['flags_per_draft']}  {'complete' if p['complete'] else ''}")


@workshop_app.command("complete")
def complete(creator_id: str = typer.Argument(..., help="The creator id (cr-...)."),
             data_dir: Optional[Path] = DataDirOpt) -> None:
    """Check the completion rules and issue the certificate; prints its verification code."""
    c = _run(data_dir, lambda ws: ws.complete(creator_id))
    typer.echo(c["code"])
    typer.echo(f"certificate for @{c['handle']} ({c['cohort']['name']}), issued {c['issued_on']}"
               f"{'' if c['issued_now'] else ' (already issued)'}; page {c['html']}", err=True)


@workshop_app.command("verify")
def verify(code: str = typer.Argument(..., help="A verification code, e.g. MM-7K2Q-..."), as_json: bool = JsonOpt,
           data_dir: Optional[Path] = DataDirOpt) -> None:
    """Check a certificate's code: who, which cohort, when (exit 1 when unknown or revoked)."""
    found = _run(data_dir, lambda ws: ws.verify(code))
    if found is None:
        typer.echo("error: code must be the verification code of an issued certificate. Got an unknown code "
                   "instead.", err=True)
        raise typer.Exit(1)
    if as_json:
        _print_json(found)
    else:
        typer.echo(f"{found['status']}: @{found['handle']} ({found['platform']}) completed {found['cohort']['name']} "
                   f"({found['cohort']['starts_on']}..{found['cohort']['ends_on']}), issued {found['issued_on']}")
    if not found["valid"]:
        raise typer.Exit(1)


@workshop_app.command("certificate")
def certificate(code: str = typer.Argument(..., help="A verification code."),
                output: Path = typer.Option(..., "--output", "-o", help="Where to write: .html or .pdf."),
                data_dir: Optional[Path] = DataDirOpt) -> None:
    """Write a certificate as HTML or PDF (by the file's suffix)."""
    suffix = output.suffix.lower()
    if suffix not in (".html", ".pdf"):
        typer.echo(f"error: --output must end in .html or .pdf. Got {output.name!r} instead.", err=True)
        raise typer.Exit(2)
    data = _run(data_dir, lambda ws: ws.certificate_html(code) if suffix == ".html" else ws.certificate_pdf(code))
    if data is None:
        typer.echo("error: code must be the verification code of an issued certificate. Got an unknown code "
                   "instead.", err=True)
        raise typer.Exit(1)
    if isinstance(data, str):
        output.write_text(data, encoding="utf-8")
    else:
        output.write_bytes(data)
    typer.echo(f"wrote {output}", err=True)


@workshop_app.command("revoke")
def revoke(code: str = typer.Argument(..., help="A verification code."),
           reason: str = typer.Option(..., help="Why (kept with the certificate, not shown publicly)."),
           data_dir: Optional[Path] = DataDirOpt) -> None:
    """Revoke a certificate: it then verifies as revoked."""
    found = _run(data_dir, lambda ws: ws.revoke_certificate(code, reason))
    typer.echo(f"revoked {found['code']}")


@workshop_app.command("quiz-check")
def quiz_check(path: Optional[Path] = typer.Argument(None, help="A question bank (default: the bundled one).")) -> None:
    """Check a quiz question bank against its schema (both languages, answer, explanation, source)."""
    from ruangaman.workshop import QuizBankError, load_bank

    try:
        bank = load_bank(path)
    except QuizBankError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    per = {m: len(bank.module_questions(m)) for m in bank.modules}
    typer.echo(f"{len(bank.questions)} questions: " + ", ".join(f"{m} {n}" for m, n in per.items()))
