"""The hostile-file corpus (tests/fixtures/hostile/, made by make_corpus.py) through every
importer: a clear Indonesian refusal and a non-zero exit / 4xx within seconds, bounded memory,
the database unchanged, and the server still answering."""

import gzip
import resource
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tests.conftest import Cli
from tests.helpers import dump_database

pytestmark = pytest.mark.hostile

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.name != "make_corpus.py")
COMMANDS = [("plan", "import"), ("lapor", "import"), ("units", "import")]
#: words every refusal carries (the detail says the file was refused, the errors say why)
REFUSED = ("tidak dapat dibaca", "ditolak", "tidak valid", "wajib")
SECONDS = 10
MAX_RSS_GROWTH_MB = 400


def _materialise(name: str, tmp_path: Path) -> Path:
    source = CORPUS / name
    if name.endswith(".gz"):
        path = tmp_path / name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(source.read_bytes()))
        return path
    return source


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 14, FILES
    assert sum((CORPUS / f).stat().st_size for f in FILES) < 5_000_000


@pytest.mark.parametrize("name", FILES)
def test_cli_refuses_hostile_file(name: str, cli: Cli, engine: sa.Engine, tmp_path: Path) -> None:
    path = _materialise(name, tmp_path)
    before = dump_database(engine)
    for command in COMMANDS:
        rss = _rss_mb()
        started = time.perf_counter()
        result = cli(*command, str(path))
        elapsed = time.perf_counter() - started
        assert result.exit_code not in (0, None), (command, result.output)
        assert "Traceback" not in result.output
        assert any(word in result.output for word in REFUSED), (command, result.output)
        assert elapsed < SECONDS, (command, elapsed)
        assert _rss_mb() - rss < MAX_RSS_GROWTH_MB, (command, _rss_mb() - rss)
    assert dump_database(engine) == before


@pytest.mark.parametrize("name", FILES)
def test_api_refuses_hostile_upload(
    name: str,
    client: TestClient,
    engine: sa.Engine,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    path = _materialise(name, tmp_path)
    before = dump_database(engine)
    rss = _rss_mb()
    started = time.perf_counter()
    response = client.post("/api/v1/lapor/imports", files={"file": (path.name, path.read_bytes())})
    assert time.perf_counter() - started < SECONDS
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert body["detail"] and body["errors"], body
    assert _rss_mb() - rss < MAX_RSS_GROWTH_MB
    assert dump_database(engine) == before
    assert client.get("/api/v1/units").status_code == 200


# --- big workbooks: parsed in a memory-capped child process (renaksi.sandbox) ------------------


def _lapor_workbook(path: Path, rows: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("LAPOR")
    sheet.write_row(0, 0, ["No Tracking", "Tanggal Laporan", "Instansi Tujuan", "Status"])
    for i in range(rows):
        sheet.write_row(
            i + 1,
            0,
            [f"{8_000_000 + i}", "02/01/2024 09:00", "Dinas Kesehatan", "Belum Diverifikasi"],
        )
    book.close()
    return path


@pytest.fixture
def big_is_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workbook counts as big: it goes through the child process."""
    from renaksi import sandbox

    monkeypatch.setattr(sandbox, "IN_PROCESS_BYTES", 0)


def test_big_workbook_is_read_in_the_child_like_in_process(
    big_is_small: None, tmp_path: Path
) -> None:
    from renaksi import sandbox
    from renaksi.lapor.read import read_export

    data = _lapor_workbook(tmp_path / "lapor.xlsx", 3_000).read_bytes()
    in_child = read_export(data, file_name="lapor.xlsx")
    sandbox.IN_PROCESS_BYTES = 1 << 40
    in_process = read_export(data, file_name="lapor.xlsx")
    assert in_child.height == 3_000
    assert in_child.equals(in_process)


def test_plan_workbook_is_read_in_the_child_like_in_process(big_is_small: None) -> None:
    from renaksi import sandbox
    from renaksi.tabular import read_xlsx
    from tests.helpers import SEEDS

    in_child = read_xlsx(SEEDS / "renaksi-2022-2026.xlsx")
    sandbox.IN_PROCESS_BYTES = 1 << 40
    in_process = read_xlsx(SEEDS / "renaksi-2022-2026.xlsx")
    assert list(in_child) == list(in_process) and "Aksi" in in_child
    assert all(in_child[name].equals(in_process[name]) for name in in_child)


def test_workbook_needing_more_memory_than_allowed_is_refused(
    big_is_small: None,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,  # type: ignore[type-arg]
    cli: Cli,
    engine: sa.Engine,
    tmp_path: Path,
) -> None:
    from renaksi import sandbox

    monkeypatch.setattr(sandbox, "MEMORY_LIMIT_BYTES", 8 * 1024 * 1024)
    path = _lapor_workbook(tmp_path / "lapor-besar.xlsx", 60_000)
    before = dump_database(engine)
    response = client.post("/api/v1/lapor/imports", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 422, response.text
    assert "batas memori" in response.json()["detail"]
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 2, result.output
    assert "batas memori" in result.output
    assert dump_database(engine) == before
    assert client.get("/api/v1/units").status_code == 200
