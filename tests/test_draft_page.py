"""The creators' draft page in a real headless Chromium, against a real server."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:  # ./test.sh installs it (scripts/test-deps.sh)
        pytest.fail("Chromium must be installed for the draft page tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, make_server, tmp_path):
    server = make_server("")
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server.base + "/creators/check")
    pg.fill("#key", server.keys["creator"])
    yield pg
    context.close()
    assert errors == [], errors


def check(page, text: str, surface: str = "caption") -> None:
    page.fill("#draft", text)
    page.select_option("#surface", surface)
    page.click("#check")
    page.wait_for_selector("body[data-state=done]")


def test_a_draft_is_highlighted_flag_by_flag_with_suggestions_and_help(page) -> None:
    draft = "😢😢 TRAGIS!!! Mahasiswi nekat gantung diri di kamar kos gara-gara nilai jelek"
    check(page, draft)
    assert page.is_visible("#result")
    marks = {m.get_attribute("data-flag"): m.inner_text() for m in page.query_selector_all("#draft-view mark")}
    assert marks.get("sensational") == "TRAGIS"  # offsets survive the emoji before it (code points vs UTF-16)
    assert "method_or_location" in marks and "gantung diri" in marks["method_or_location"]
    assert "single_cause" in marks
    assert page.inner_text("#draft-view") == draft  # highlighting never changes the text
    items = page.query_selector_all("#flags li")
    assert {i.get_attribute("data-flag") for i in items} >= {"sensational", "method_or_location", "missing_help_info"}
    for item in items:
        assert item.query_selector(".suggestion").inner_text().strip()
        assert item.query_selector(".guideline").inner_text().strip()
    assert page.is_visible("#helpline") and "119" in page.inner_text("#helpline-text")
    assert float(page.inner_text("#score")) < 0.5


def test_a_safe_draft_passes(page) -> None:
    check(page, "Resep sambal matah ala Bali: bawang merah, serai, cabai rawit, minyak kelapa panas. Selamat mencoba!")
    assert page.query_selector_all("#draft-view mark") == []
    assert page.query_selector_all("#flags li") == []
    assert "sesuai pedoman" in page.inner_text("#verdict")
    assert not page.is_visible("#helpline")


def test_the_draft_is_shown_as_text_never_as_html(page) -> None:
    check(page, 'Dia bunuh diri <img src=x onerror="document.title=1"> karena putus cinta')
    assert page.query_selector("#draft-view img") is None
    assert "<img" in page.inner_text("#draft-view")
    assert page.title() != "1"


def test_a_wrong_key_is_a_clear_error(page) -> None:
    page.fill("#key", "ra_000000000000_wrong")
    check(page, "Dia bunuh diri karena putus cinta")
    assert "API key" in page.inner_text("#status")
    assert not page.is_visible("#result")
