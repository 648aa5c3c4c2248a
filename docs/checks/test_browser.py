"""Open the built documentation in a real browser and check what a reader sees.

Run after the docs build (``.ci/run`` does), from the repository root::

    .venv/bin/python -m pytest docs/checks/test_browser.py

It lives under ``docs/`` because it needs the built site: the README's test
command, which runs before the docs exist, does not collect it (pytest's
``testpaths`` are ``tests`` and ``src/tinynet``).

Every HTML page of ``docs/_build/html`` (or ``TINYNET_DOCS_HTML``) is opened
from disk, as the README tells readers to, in headless Chromium from Debian's
``chromium`` and ``chromium-driver`` packages (nothing is downloaded at run
time; the browser has no network), at 1280 x 900 pixels. On each page:

* nothing is loaded from the network: no script, stylesheet, image or font
  with an ``http(s)://`` address, and the browser logs no error (a missing
  file, a failed script);
* every formula is typeset by KaTeX (a ``.katex`` element in every
  ``.math``), none is a KaTeX error, and no raw TeX delimiter -- ``\\(``,
  ``\\[``, ``$$`` or ``\\begin`` -- is left in the visible text; KaTeX's
  fonts load;
* every image loads (``naturalWidth > 0``);
* no code is cut off: a ``<pre>`` wider than its box scrolls
  (``overflow-x: auto`` or ``scroll``) or wraps, and no box sticks out of the
  article;
* the left "Section Navigation" is either absent or lists links, nothing
  runs out of a sidebar or makes the page scroll sideways, and "On this
  page" appears at most once;
* the top bar holds one row;
* section headings are not links and are not underlined.

The pages of :data:`SHOWCASE` must also contain what makes them worth
checking (formulas, images, code) and are saved as full-page screenshots in
``_screenshots/`` inside the HTML folder, next to the pages they show.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver  # in the docs dependency group
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium package
CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's chromium-driver package
WIDTH, HEIGHT = 1280, 900
HTML = Path(os.environ.get("TINYNET_DOCS_HTML", Path(__file__).resolve().parents[1] / "_build" / "html"))
SCREENSHOTS = HTML / "_screenshots"

# page -> what it must contain besides passing the common checks
SHOWCASE = {
    "index.html": set(),
    "getting_started.html": {"code"},
    "tutorial/vanishing_gradients.html": {"math", "code", "images"},
    "tutorial/training.html": {"math", "code"},
    "tutorial/curing.html": {"math", "code", "images"},
    "howto/new_activation.html": {"math", "code"},
    "howto/stateful_layer.html": {"math", "code"},
    "explanation/gradient_checking.html": {"math", "code"},
    "howto/hooks_callbacks.html": {"code"},
    "auto_examples/index.html": {"images"},
    "auto_examples/vanishing_gradients.html": {"code", "images"},
    "auto_examples/custom_activation.html": {"math", "code", "images"},
    "auto_examples/deeper_nets.html": {"math", "code", "images"},
    "auto_examples/deep_sigmoid_cures.html": {"math", "code", "images"},
    "auto_examples/digits.html": {"code", "images"},
    "auto_examples/glorot_saturation.html": {"math", "code", "images"},
    "auto_examples/initialisation_at_start.html": {"math", "code", "images"},
    "auto_examples/curing_depth10.html": {"math", "code", "images"},
    "api/index.html": set(),
    "api/generated/tinynet.Dense.html": {"math", "code"},
    "api/generated/tinynet.Sigmoid.html": {"math", "code"},
    "api/generated/tinynet.SoftmaxCrossEntropy.html": {"math", "code"},
    "api/generated/tinynet.gradcheck.html": {"math", "code"},
    "benchmarks.html": {"code"},
}

PAGES = sorted(
    page.as_posix()
    for page in (p.relative_to(HTML) for p in HTML.rglob("*.html"))
    if not any(part.startswith(("_", ".")) for part in page.parts)
)

# Runs in the page; returns {check: [problems]}. Waits for fonts and images first.
INSPECT = """
const done = arguments[arguments.length - 1];
const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
const images = [...document.images];
for (const img of images) img.loading = "eager";  // lazy images would not load off screen
Promise.all(images.map((img) => img.decode().catch(() => null))).then(() => document.fonts.ready).then(() => {
  const problems = {network: [], math: [], fonts: [], images: [], code: [], sidebar: [], toc: [], header: [],
                    headings: []};
  const counts = {math: 0, code: 0, images: images.length};

  // nothing from the network
  for (const el of document.querySelectorAll("script[src], link[href], img[src], iframe[src], source[src]")) {
    const url = el.src || el.href;
    const loads = el.tagName !== "LINK" || /stylesheet|preload|icon|modulepreload/.test(el.rel);
    if (loads && /^https?:/.test(url)) problems.network.push(describe(el) + " loads " + url);
  }
  for (const entry of performance.getEntriesByType("resource")) {
    if (/^https?:/.test(entry.name)) problems.network.push("requested " + entry.name);
  }

  // formulas
  const maths = [...document.querySelectorAll(".math")];
  counts.math = maths.length;
  for (const m of maths) {
    if (!m.querySelector(".katex")) problems.math.push("not typeset: " + m.textContent.slice(0, 80));
  }
  for (const e of document.querySelectorAll(".katex-error")) {
    problems.math.push("KaTeX error: " + (e.title || e.textContent).slice(0, 120));
  }
  const text = document.body.innerText;
  for (const raw of ["\\\\(", "\\\\[", "$$", "\\\\begin{"]) {
    const at = text.indexOf(raw);
    if (at >= 0) problems.math.push("raw TeX in the visible text: ..." + text.slice(Math.max(0, at - 30), at + 50) + "...");
  }
  const katexFonts = [...document.fonts].filter((f) => f.family.replace(/"/g, "").startsWith("KaTeX"));
  for (const f of katexFonts) {
    if (f.status === "error") problems.fonts.push("font failed to load: " + f.family + " " + f.weight + " " + f.style);
  }
  if (maths.length && !katexFonts.some((f) => f.status === "loaded")) problems.fonts.push("no KaTeX font loaded");

  // images
  for (const img of images) {
    if (!(img.complete && img.naturalWidth > 0)) problems.images.push("not loaded: " + img.getAttribute("src"));
  }

  // code: scrolls or wraps, and its box stays inside the article
  const article = document.querySelector("article.bd-article") || document.body;
  const right = article.getBoundingClientRect().right;
  for (const pre of document.querySelectorAll("pre")) {
    if (!visible(pre)) continue;
    counts.code += 1;
    const style = getComputedStyle(pre);
    const overflows = pre.scrollWidth > pre.clientWidth + 1;
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    const wraps = ["pre-wrap", "pre-line", "break-spaces", "normal"].includes(style.whiteSpace);
    if (overflows && !scrolls && !wraps) {
      problems.code.push("cut off (overflow-x " + style.overflowX + "): " + pre.textContent.slice(0, 60));
    }
    if (pre.getBoundingClientRect().right > right + 1) {
      problems.code.push("sticks out of the article: " + pre.textContent.slice(0, 60));
    }
  }

  // sidebars: an empty "Section Navigation", content running out of a sidebar or
  // out of the window, a second "On this page"
  for (const nav of document.querySelectorAll("nav.bd-docs-nav")) {
    if (visible(nav) && !nav.querySelector("a[href]")) problems.sidebar.push("empty Section Navigation");
  }
  for (const bar of document.querySelectorAll(".bd-sidebar-primary, .bd-sidebar-secondary")) {
    if (visible(bar) && bar.scrollWidth > bar.clientWidth + 1) {
      problems.sidebar.push(describe(bar) + " is " + bar.scrollWidth + " px wide inside " + bar.clientWidth + " px");
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    problems.sidebar.push("the page scrolls sideways: " + page.scrollWidth + " px in a " + page.clientWidth + " px window");
  }
  const ownText = (el) => [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join("").trim();
  const onThisPage = [...document.querySelectorAll("body *")].filter((el) => visible(el) && ownText(el) === "On this page");
  if (onThisPage.length > 1) problems.toc.push(onThisPage.length + " 'On this page': " + onThisPage.map(describe).join(", "));

  // the top bar: every visible item of the header on one row
  const header = document.querySelector("header.bd-header");
  const items = header ? [...header.querySelectorAll(".navbar-header-items a, .navbar-header-items button, .navbar-brand")].filter(visible) : [];
  const centers = items.map((el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
  if (items.length && Math.max(...centers) - Math.min(...centers) > 12) {
    problems.header.push("the top bar wraps: " + items.length + " items, vertical centres from "
        + Math.min(...centers).toFixed(0) + " to " + Math.max(...centers).toFixed(0) + " px");
  }

  // headings: no link but the hidden permalink, no underline
  for (const h of article.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const link = [...h.querySelectorAll("a")].find((a) => !a.classList.contains("headerlink"));
    const underlined = [h, ...h.querySelectorAll("*")].some((el) => !el.classList.contains("headerlink")
        && getComputedStyle(el).textDecorationLine.includes("underline"));
    if (link || underlined) problems.headings.push("looks like a link: " + h.textContent.trim().slice(0, 60));
  }
  done({problems, counts});
});
"""


@pytest.fixture(scope="module")
def browser():
    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).is_file():
            pytest.fail(f"{program} is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        for flag in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            # without these, Chromium waits on refused connections to its own services
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
        ]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_script_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def screenshot(driver, path: Path) -> None:
    """The whole page, not only the window, as a PNG."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": min(size["height"], 16_000), "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def test_site_is_built():
    assert PAGES, f"no HTML pages in {HTML}: build the docs first (README, <!-- docs-command -->)"
    missing = sorted(set(SHOWCASE) - set(PAGES))
    assert not missing, f"pages to check are missing from the build: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page(browser, page):
    browser.get((HTML / page).as_uri())
    result = browser.execute_async_script(INSPECT)
    problems = {check: found for check, found in result["problems"].items() if found}
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        problems["console"] = errors
    for what in SHOWCASE.get(page, ()):
        if not result["counts"][what]:
            problems.setdefault("content", []).append(f"expected {what} on this page, found none")
    if page in SHOWCASE:
        screenshot(browser, SCREENSHOTS / (page.removesuffix(".html").replace("/", "__") + ".png"))
    assert not problems, f"{page}:\n" + json.dumps(problems, indent=2)
