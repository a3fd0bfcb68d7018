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
