"""Commands for running the service: serve, db, keys, purge.  Registered on the main CLI."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer

__all__ = ["db_app", "keys_app", "openapi", "purge", "serve"]

db_app = typer.Typer(no_args_is_help=True, help="The database schema (Alembic migrations).")
keys_app = typer.Typer(no_args_is_help=True, help="API keys: create, list, revoke.")

DataDirOpt = typer.Option(None, "--data-dir", help="Data folder (default: RUANGAMAN_DATA_DIR or ./ruangaman-data).")


def _settings(data_dir: Optional[Path]):
    from ruangaman.service.settings import Settings, SettingsError

    if data_dir is not None:
        os.environ["RUANGAMAN_DATA_DIR"] = str(data_dir)
    try:
        return Settings.load()
    except SettingsError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


def _store(settings, check: bool = True):
    from ruangaman.store import Store, StoreError

    try:
        store = Store(settings.database_url)
        if check:
            store.check_schema()
        return store
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


def _default_sqlite() -> bool:
    return not os.environ.get("RUANGAMAN_DATABASE_URL")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each loads the model, ~120 MB)."),
    data_dir: Optional[Path] = DataDirOpt,
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Start the HTTP API (SQLite in the data folder unless RUANGAMAN_DATABASE_URL is set)."""
    import uvicorn

    from ruangaman.store import upgrade

    settings = _settings(data_dir)
    os.environ["RUANGAMAN_DATA_DIR"] = str(settings.data_dir)
    store = _store(settings, check=False)
    if _default_sqlite():  # zero set-up on the embedded default; a server database is migrated on purpose
        upgrade(store.engine)
    try:
        store.check_schema()
    except Exception as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    finally:
        store.close()
    # The store's writer thread commits while requests are assessed on the event loop; with the
    # default 5 ms GIL switch interval each hand-over to the writer waits out a whole interval.
    sys.setswitchinterval(0.0002)
    typer.echo(f"ruangaman: serving on http://{host}:{port} (store: {_safe_url(settings.database_url)})", err=True)
    uvicorn.run("ruangaman.service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, loop="uvloop", http="httptools", server_header=False)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision."), data_dir: Optional[Path] = DataDirOpt) -> None:
    """Run the migrations on the configured database (RUANGAMAN_DATABASE_URL or the SQLite default)."""
    from ruangaman.store import upgrade

    settings = _settings(data_dir)
    store = _store(settings, check=False)
    try:
        now = upgrade(store.engine, revision)
    finally:
        store.close()
    typer.echo(f"database {_safe_url(settings.database_url)} at revision {now}")


@db_app.command("current")
def db_current(data_dir: Optional[Path] = DataDirOpt) -> None:
    """Print the database's revision and the code's head revision."""
    from ruangaman.store import current_revision, head_revision

    settings = _settings(data_dir)
    store = _store(settings, check=False)
    try:
        typer.echo(f"current {current_revision(store.engine) or '-'}  head {head_revision()}")
    finally:
        store.close()


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., help="Who the key is for, e.g. the platform or the reviewer's name."),
    role: str = typer.Option(..., help="platform, reviewer, analyst, admin, staff (workshop) or creator."),
    client: Optional[str] = typer.Option(None, help="Client whose items the key shares (default: the name)."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Create an API key; it is printed once and only its hash is stored."""
    settings = _settings(data_dir)
    store = _store(settings)
    try:
        secret, info = store.create_key(name, role, client)
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    finally:
        store.close()
    typer.echo(secret)
    typer.echo(f"key {info.key_id} for {info.name} (role {info.role}, client {info.client}); "
               "store it now, it is not shown again", err=True)


@keys_app.command("list")
def keys_list(data_dir: Optional[Path] = DataDirOpt) -> None:
    """List keys (ids, names, roles; never secrets)."""
    settings = _settings(data_dir)
    store = _store(settings)
    try:
        for k in store.list_keys():
            state = "revoked" if k.revoked_at else "live"
            typer.echo(f"{k.key_id}  {k.role:9} {state:8} {k.client:20} {k.name}")
    finally:
        store.close()


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key id shown by `keys list`."),
                data_dir: Optional[Path] = DataDirOpt) -> None:
    """Revoke a key (servers stop accepting it within key_cache_seconds)."""
    settings = _settings(data_dir)
    store = _store(settings)
    try:
        done = store.revoke_key(key_id)
    finally:
        store.close()
    if not done:
        typer.echo(f"error: key id must be a live key. Got {key_id!r} instead.", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


def purge(
    older_than_days: Optional[float] = typer.Option(None, help="Purge texts older than this many days "
                                                    "(default: the retention_days setting)."),
    data_dir: Optional[Path] = DataDirOpt,
) -> None:
    """Remove stored texts past retention, then compact the database so the bytes leave its files."""
    from ruangaman.store import cli_actor

    settings = _settings(data_dir)
    days = settings.retention_days if older_than_days is None else older_than_days
    if days < 0:
        typer.echo(f"error: --older-than-days must be at least 0. Got {days} instead.", err=True)
        raise typer.Exit(2)
    store = _store(settings)
    try:
        n = store.purge(time.time() - days * 86400, cli_actor())
    finally:
        store.close()
    typer.echo(f"purged the text of {n} items older than {days:g} days")


def openapi() -> None:
    """Print the API's OpenAPI document (docs/openapi.json is this output, committed)."""
    import json
    import tempfile

    from ruangaman.service.app import create_app
    from ruangaman.service.settings import Settings
    from ruangaman.store import Store, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(env={}, data_dir=tmp)
        store = Store(settings.database_url)
        try:
            upgrade(store.engine)
            doc = create_app(settings, store=store, load_model=False).openapi()
        finally:
            store.close()
    typer.echo(json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True))
