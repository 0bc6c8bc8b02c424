"""The API's interactive docs work with the network cut: Swagger UI comes from the app."""

from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Route, sync_playwright

from tests.browsers import launch_chromium, skip_without_chromium
from tests.live_server import LiveServer
from tests.paths import ARTEFACTS

pytestmark = pytest.mark.browser


def test_docs_render_offline_under_the_policy(server: LiveServer) -> None:
    skip_without_chromium()
    ours = urlparse(server.url).netloc
    elsewhere: list[str] = []
    violations: list[str] = []

    def only_ours(route: Route) -> None:
        if urlparse(route.request.url).netloc == ours or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.route("**/*", only_ours)
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)  # fmt: skip
        page.goto(f"{server.url}/docs")
        page.locator(".swagger-ui .info .title").filter(has_text="SIPAS survey platform").wait_for()
        page.locator(".opblock-tag", has_text="analytics").first.wait_for()
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "docs-offline.png"))
        browser.close()
    assert elsewhere == []
    assert violations == []
    assets = httpx.get(f"{server.url}/docs-assets/swagger-ui-bundle.js")
    assert assets.status_code == 200
    assert assets.headers.get("cache-control") != "no-store"
