"""Both workbooks, downloaded from the API, open in LibreOffice: converted to PDF (a file
LibreOffice had to repair would fail or come out empty), and a formula-looking title is still
text in a real spreadsheet engine.

Needs ``soffice`` on PATH (Debian/Ubuntu: ``apt-get install libreoffice-calc-nogui``); skipped
without it, except under CI (``CI`` set, as in ``CI=true bash .ci/run``), where a missing
LibreOffice fails the test rather than leaving the check unproven. Runs once, on SQLite: the
workbook does not depend on the database backend.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.db.models import Action
from renaksi.settings import Settings
from tests.integration.reports_support import load_complaints

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed",
)
#: CSV of sheet 2 (Rincian), values not formulas: a formula would come out as its result
RINCIAN_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"


def soffice(tmp_path: Path, convert_to: str, source: Path) -> subprocess.CompletedProcess[str]:
    assert SOFFICE is not None
    profile = (tmp_path / "lo-profile").as_uri()  # private profile: parallel runs do not clash
    return subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            convert_to,
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_libreoffice_opens_both_downloaded_workbooks(
    demo_loaded: Session,
    settings: Settings,
    client: TestClient,  # type: ignore[type-arg]
    tmp_path: Path,
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the LibreOffice check runs once, on SQLite")
    if SOFFICE is None:
        pytest.fail("CI is set but LibreOffice (soffice) is not installed: see .ci/run")
    load_complaints(demo_loaded, settings)
    for code, title in (("A.02.01", "=1+1"), ("A.02.02", "\r=1+1")):
        demo_loaded.execute(sa.update(Action).where(Action.code == code).values(title=title))
    demo_loaded.commit()
    files = []
    for url in (
        "/api/v1/reports/budget-gap.xlsx?year=2024&as_of=2024-12-31",
        "/api/v1/reports/quarterly.xlsx?year=2024&quarter=4&as_of=2024-12-31",
    ):
        response = client.get(url)
        assert response.status_code == 200, response.text
        name = response.headers["content-disposition"].split('filename="')[1].rstrip('"')
        path = tmp_path / name
        path.write_bytes(response.content)
        files.append(path)

    for path in files:
        done = soffice(tmp_path, "pdf", path)
        assert done.returncode == 0, done.stderr
        pdf = tmp_path / "out" / f"{path.stem}.pdf"
        assert pdf.is_file(), done.stdout + done.stderr
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000

    done = soffice(tmp_path, RINCIAN_CSV, files[0])
    assert done.returncode == 0, done.stderr
    # bytes decoded as they are: read_text would turn the CR of a title into LF
    csv = (tmp_path / "out" / f"{files[0].stem}-Rincian.csv").read_bytes().decode("utf-8")
    assert "A.02.01,=1+1,DISKOMINFO," in csv
    assert 'A.02.02,"\r=1+1",DISKOMINFO,' in csv  # a leading CR: text as well
