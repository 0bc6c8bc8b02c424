"""Where the tests find the repository and leave what a person should look at."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# Screenshots, PDFs and pages of the browser tests, to open and look at.
ARTEFACTS = Path(os.environ.get("SIPAS_TEST_ARTEFACTS", ROOT / "test-artefacts"))
