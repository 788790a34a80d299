"""The ``ruangaman`` command line: assess, eval, train, bench.

Heavy imports live inside the commands so ``ruangaman --help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Ruang Aman: mental-health safety for social and short-video platforms.")

def _version(value: bool) -> None:
    if value:
        from ruangaman import __version__

        typer.echo(f"ruangaman {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Ruang Aman: mental-health safety for social and short-video platforms."""


ModelOpt = typer.Option(None, "--model", help="Model folder (model.json + model.npz). Default: the bundled model.")


def _engine(model: Optional[Path]):
    from ruangaman.assess import AssessmentEngine
    from ruangaman.model import ModelError

    try:
        return AssessmentEngine(model)
    except ModelError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


def _one(produce, as_json: bool, show) -> None:
    """One text in: print its JSON or its readable form; a refused text is a clear error (exit 1)."""
    from ruangaman.assess import InputError

    try:
        result = produce()
    except InputError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        show(result)


def _show(text: str, result: dict) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    colour = {"none": "green", "mention": "cyan", "distress": "yellow", "ideation": "red", "plan": "bold red",
              "imminent": "bold white on red"}[result["self_harm"]]
    console.print(Text.assemble("level: ", (result["self_harm"], colour),
                                f"   labels: {', '.join(result['labels']) or '-'}   language: {result['language']}"))
    if result.get("degraded"):
        console.print("[yellow]degraded: the model failed; this answer comes from the rule safety net[/]")
    shown = Text(text)
    for ev in result["evidence"]:
        shown.stylize("bold underline magenta", ev["start"], ev["end"])
    console.print(shown)
    for ev in result["evidence"]:
        console.print(f"  [{ev['start']}:{ev['end']}] {text[ev['start']:ev['end']]!r}  {ev['reason']}")
    p = result["probabilities"]
    if p:
        levels = "  ".join(f"{k}={v:.2f}" for k, v in p["self_harm"].items())
        console.print(f"[dim]P(level): {levels}[/]")


@app.command()
def assess(
    text: Optional[str] = typer.Argument(None, help="Text to assess. Without it, JSONL is read from --input/stdin."),
    surface: str = typer.Option("post", help="Where the text appears: post, comment, search, caption, transcript, message."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object instead of the readable verdict."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="JSONL input file (default: stdin)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL output file (default: stdout)."),
    model: Optional[Path] = ModelOpt,
) -> None:
    """Assess one text, or stream JSONL: one output line per input line, errors included.

    Exit status: 0 when every line was assessed, 1 when any line failed (its error record
    is in the output, in place), 2 when nothing could run.
    """
    from ruangaman.assess.stream import assess_lines

    engine = _engine(model)
    if text is not None:
        _one(lambda: engine.assess(text, surface).to_dict(), as_json, lambda r: _show(text, r))
        return
    from ruangaman.assess import tune_collector

    tune_collector()
    _run_stream(input, output, lambda src, stats: assess_lines(engine, src, stats), "assessed")


def _run_stream(input: Optional[Path], output: Optional[Path], produce, verb: str) -> None:
    """JSONL in (file or stdin) -> records out (file or stdout); exit 1 if any line failed."""
    from ruangaman.assess.stream import StreamStats, dumps

    src = open(input, "rb") if input else sys.stdin.buffer
    dst = open(output, "wb") if output else sys.stdout.buffer
    stats = StreamStats()
    try:
        for record in produce(src, stats):
            dst.write(dumps(record))
    finally:
        if input:
            src.close()
        if output:
            dst.close()
        else:
            dst.flush()
    typer.echo(f"{verb} {stats.ok}, failed {stats.failed}", err=True)
    if stats.failed:
        raise typer.Exit(1)


@app.command()
def decide(
    text: Optional[str] = typer.Argument(None, help="Text to decide on. Without it, JSONL is read from --input/stdin."),
    surface: str = typer.Option("post", help="post, comment, search, caption, transcript, message or live."),
    author_age_band: str = typer.Option("unknown", help="minor, adult or unknown."),
    viewer_age_band: str = typer.Option("unknown", help="minor, adult or unknown."),
    locale: Optional[str] = typer.Option(None, help="Card language, id or en (default: the text's language)."),
    region: Optional[str] = typer.Option(None, help="BPS province/regency code, e.g. 31 (DKI Jakarta)."),
    policy: Optional[Path] = typer.Option(None, help="Policy YAML (default: the bundled policy)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="JSONL input file (default: stdin)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL output file (default: stdout)."),
) -> None:
    """What the platform should do: actions with parameters, the rule that fired, the evidence.

    JSONL lines carry id, text and optionally surface, author_age_band, viewer_age_band,
    locale and region.  Exit status as for assess.
    """
    from ruangaman.policy import Decider, PolicyError, load_policy
    from ruangaman.policy.decider import decide_lines

    try:
        pol = load_policy(policy) if policy else None
    except PolicyError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    decider = Decider(policy=pol)
    if text is not None:
        context = {"surface": surface, "author_age_band": author_age_band, "viewer_age_band": viewer_age_band,
                   "locale": locale, "region": region}
        _one(lambda: decider.decide(text, context), as_json, _show_decision)
        return
    _run_stream(input, output, lambda src, stats: decide_lines(decider, src, stats), "decided")


def _show_decision(result: dict) -> None:
    from rich.console import Console

    c = Console()
    c.print(f"level: [bold]{result['self_harm']}[/]   labels: {', '.join(result['labels']) or '-'}   "
            f"surface: {result['context']['surface']}" + ("   [yellow]degraded[/]" if result["degraded"] else ""))
    if not result["actions"]:
        c.print("no action: the content stays as it is")
    for a in result["actions"]:
        p = a["params"]
        c.print(f"- [bold]{a['action']}[/] (rule {a['rule']})")
        card = p.get("card") or (p if a["action"] == "search_intervention" else None)
        if card:
            c.print(f"    {card['title']}: {card['message']}", markup=False)
            for s in card["services"]:
                contacts = ", ".join(f"{k} {v}" for k, v in s["contacts"].items())
                c.print(f"      {s['name']}: {contacts}", markup=False)
            if a["action"] == "search_intervention":
                c.print("    search results: " + ("shown after help" if p["show_results"] else "none"))
        else:
            c.print("    " + ", ".join(f"{k}={v}" for k, v in p.items() if k not in ("self_harm", "labels")),
                    markup=False)


policy_app = typer.Typer(help="Policies: check a policy file before you use it.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("check")
def policy_check(file: Path = typer.Argument(..., help="Policy YAML to validate.")) -> None:
    """Validate a policy: every problem is reported with its path in the file."""
    from ruangaman.policy import PolicyError, load_policy

    try:
        pol = load_policy(file)
    except PolicyError as e:
        for err in e.errors:
            typer.echo(f"{file}: {err}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"ok: {pol.label}, {len(pol.rules)} rules")


@app.command()
def info(
    query: Optional[str] = typer.Argument(None, help="What to look for, e.g. \"gejala depresi\"."),
    lang: str = typer.Option("id", help="Card language: id or en."),
    k: int = typer.Option(3, help="How many cards."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    eval_file: Optional[Path] = typer.Option(None, "--eval", help="JSONL of {query, relevant: [card ids]}: "
                                             "print Recall@3, MRR and latency."),
) -> None:
    """Search the mental-health information cards (SQLite FTS5, Indonesian stemming, slang)."""
    from ruangaman.info import default_index, evaluate, search_info

    if eval_file is not None:
        queries = [json.loads(line) for line in eval_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        report = evaluate(default_index(), queries)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=1))
            return
        typer.echo(f"{eval_file}: {report['queries']} queries")
        typer.echo(f"recall@3  {report['recall@3']:.4f}")
        typer.echo(f"mrr       {report['mrr']:.4f}")
        typer.echo(f"latency   p50 {report['p50_us']:.0f} us, p99 {report['p99_us']:.0f} us (one query, in-process)")
        for m in report["misses"]:
            typer.echo(f"  miss {m['id']}: {m['query']!r} wanted {m['relevant']} got {m['got']}")
        return
    if not query:
        typer.echo("error: query must not be empty. Got nothing instead.", err=True)
        raise typer.Exit(1)
    try:
        cards = search_info(query, lang, k)
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if as_json:
        typer.echo(json.dumps(cards, ensure_ascii=False))
        return
    if not cards:
        typer.echo("no card found")
    for c in cards:
        typer.echo(f"[{c['id']}] {c['title']}")
        if "myth" in c:
            typer.echo(f"  myth: {c['myth']}\n  fact: {c['fact']}")
        typer.echo("  " + c["body"].replace("\n", "\n  "))
        typer.echo("  source: " + "; ".join(f"{s['publisher']}, {s['title']} ({s['url']})" for s in c["sources"]))
        typer.echo(f"  reviewed {c['reviewed_on']} by {c['reviewer']}\n")


@app.command("check-draft")
def check_draft(
    text: Optional[str] = typer.Argument(None, help="Draft caption or transcript. Without it, JSONL from --input/stdin."),
    surface: str = typer.Option("caption", help="caption or transcript."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="JSONL input file (default: stdin)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL output file (default: stdout)."),
) -> None:
    """Check a draft against the safe-messaging guidelines: flags with spans, suggestions, a score."""
    from ruangaman.assess import InputError
    from ruangaman.assess.stream import error_record, parse_line
    from ruangaman.creators import DraftChecker
    from ruangaman.creators.check import DRAFT_SURFACES

    checker = DraftChecker()
    if text is not None:
        def show(report: dict) -> None:
            typer.echo(f"score {report['score']:.2f}  ({len(report['flags'])} flag(s))")
            for f in report["flags"]:
                where = f" [{f['start']}:{f['end']}] {text[f['start']:f['end']]!r}" if "start" in f else ""
                typer.echo(f"- {f['flag']}{where}\n    {f['suggestion']}\n    ({f['guideline']})")

        _one(lambda: checker.check(text, surface).to_dict(), as_json, show)
        return

    def produce(src, stats):
        for n, raw in enumerate(src, 1):
            if not raw.strip():
                continue
            try:
                obj = parse_line(raw, n, 20_000, surfaces=DRAFT_SURFACES, default_surface="caption")
                record = checker.check(obj["text"], obj["surface"], obj["id"]).to_dict()
                stats.ok += 1
            except InputError as e:
                record = error_record(n, e.code, str(e), getattr(e, "id", None))
                stats.failed += 1
            yield record

    _run_stream(input, output, produce, "checked")


@app.command("eval-drafts")
def eval_drafts(
    file: Path = typer.Argument(..., help="Labelled drafts JSONL, e.g. data/validation/safe-messaging-dev.jsonl."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Per-flag precision/recall/F1, flag macro-F1 and the pass rate of clean drafts."""
    from ruangaman.creators import FLAGS, DraftChecker
    from ruangaman.evaluate import score_drafts

    checker = DraftChecker()
    gold = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = [[f.flag for f in checker.check(g["text"], g.get("surface", "caption")).flags] for g in gold]
    report = score_drafts(gold, pred, FLAGS)
    if as_json:
        typer.echo(json.dumps(report, indent=1))
        return
    typer.echo(f"{file}: {report['n']} drafts")
    for flag, m in report["flags"].items():
        typer.echo(f"{flag:24} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n {m['support']}")
    typer.echo(f"flag_macro_f1    {report['flag_macro_f1']:.4f}")
    typer.echo(f"clean_pass_rate  {report['clean_pass_rate']:.4f}  ({report['clean_drafts']} clean drafts)")


@app.command("eval")
def eval_(
    file: Path = typer.Argument(..., help="Labelled JSONL (docs/labels.md), e.g. data/validation/assess-dev.jsonl."),
    model: Optional[Path] = ModelOpt,
    errors: bool = typer.Option(False, help="Also list every misclassified example."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Per-level and per-label P/R/F1, crisis and urgent recall, false alarms, language, confusion."""
    from rich.console import Console
    from rich.table import Table

    from ruangaman.evaluate import score
    from ruangaman.model import LEVELS

    engine = _engine(model)
    gold = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = [a.to_dict() for a in engine.assess_batch(gold)]
    report = score(gold, pred)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=1))
        return
    c = Console()
    c.print(f"[bold]{file}[/]: {report.n} examples")
    for title, rows in (("self_harm", report.levels), ("labels", report.labels)):
        t = Table(title=title)
        for col in ("", "precision", "recall", "f1", "support"):
            t.add_column(col, justify="right")
        for name, m in rows.items():
            t.add_row(name, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
        c.print(t)
    t = Table(title="confusion (rows gold, columns predicted)")
    t.add_column("")
    for lv in LEVELS:
        t.add_column(lv, justify="right")
    for lv, row in zip(LEVELS, report.confusion):
        t.add_row(lv, *map(str, row))
    c.print(t)
    for name in ("crisis_recall", "urgent_recall", "false_alarm_rate", "self_harm_macro_f1", "label_macro_f1",
                 "language_accuracy"):
        c.print(f"{name:20} {getattr(report, name):.4f}")
    if errors:
        for e in report.errors:
            c.print(f"{e['id']}: gold {e['gold']} pred {e['pred']}  {e['text']!r}", markup=False)


@app.command()
def train(
    corpus: Path = typer.Option(Path("data/corpus"), help="Folder of labelled *.jsonl (the project's own corpus)."),
    public: Path = typer.Option(Path("data/public"), help="Folder of the licensed public data sets."),
    out: Path = typer.Option(Path("ruangaman/resources/model"), help="Where to write model.json + model.npz."),
    seed: int = typer.Option(20241121, help="The one seed behind every random choice."),
) -> None:
    """Train the model from the corpus, reproducibly (same inputs + seed -> same bytes)."""
    from ruangaman.model.train import TrainConfig, train as run

    run(corpus, public, out, TrainConfig(seed=seed), log=lambda m: typer.echo(m, err=True))


@app.command("train-drafts")
def train_drafts_cmd(
    drafts: Path = typer.Option(Path("data/drafts"), help="Folder of labelled drafts *.jsonl."),
    out: Path = typer.Option(Path("ruangaman/resources/drafts_model"), help="Where to write the drafts model."),
    seed: int = typer.Option(20241121, help="The one seed behind every random choice."),
) -> None:
    """Train the safe-messaging model from the project's drafts, reproducibly."""
    from ruangaman.creators.train import train_drafts

    train_drafts(drafts, out, seed, log=lambda m: typer.echo(m, err=True))


@app.command()
def bench(
    corpus: Optional[Path] = typer.Option(None, help="JSONL with a text field. Default: the bundled bench corpus."),
    n: int = typer.Option(20000, help="Texts in the batch run (the corpus is cycled)."),
    single: int = typer.Option(5000, help="Texts in the single-text latency run."),
    model: Optional[Path] = ModelOpt,
) -> None:
    """Throughput (texts/s, one core), single-text p50/p99, load time, peak RSS, vs a baseline."""
    from ruangaman.bench import run_bench

    run_bench(corpus, n, single, model)


@app.command("bench-api")
def bench_api(
    n: int = typer.Option(20000, help="Most requests per run (batch runs send n / batch-size requests)."),
    seconds: float = typer.Option(10.0, help="Most seconds per run."),
    connections: int = typer.Option(8, help="Concurrent keep-alive connections."),
    batch_size: int = typer.Option(100, help="Texts per batch request."),
    workers: int = typer.Option(1, help="Server worker processes."),
    corpus: Optional[Path] = typer.Option(None, help="JSONL with a text field. Default: the bundled bench corpus."),
) -> None:
    """HTTP load on loopback: req/s and p50/p99 of single and batch assess next to a constant endpoint."""
    from ruangaman.bench.api import run_api_bench

    run_api_bench(n, seconds, connections, batch_size, corpus, workers)


def _register_service_commands() -> None:
    from ruangaman.service.commands import db_app, keys_app, openapi, purge, serve
    from ruangaman.workshop.commands import workshop_app

    app.command()(serve)
    app.command()(purge)
    app.command()(openapi)
    app.add_typer(db_app, name="db")
    app.add_typer(keys_app, name="keys")
    app.add_typer(workshop_app, name="workshop")


_register_service_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
