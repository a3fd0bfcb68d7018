"""Units (PD) and their aliases over HTTP: the registry every other feature refers to by code."""

from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from tests.helpers import dump_database
from tests.integration.conftest import Shared
from tests.integration.shapes import assert_error, current, field_error

UNITS = "/api/v1/units"
Client = TestClient[Any]


def test_list_is_every_seeded_unit_ordered_by_code(shared_demo: Shared) -> None:
    api = shared_demo.client
    response = api.get(UNITS)
    assert response.status_code == 200
    units = response.json()
    assert len(units) == 65
    codes = [u["code"] for u in units]
    assert codes == sorted(codes)
    assert {"DISKOMINFO", "BAPPEDA", "64.08.01", "64.08.18"} <= set(codes)


def test_get_one_unit_with_its_aliases(shared_demo: Shared) -> None:
    api = shared_demo.client
    response = api.get(f"{UNITS}/DISKOMINFO")
    assert response.status_code == 200
    unit = response.json()
    assert unit["code"] == "DISKOMINFO"
    assert unit["name"] == "Dinas Komunikasi, Informatika, Statistik dan Persandian"
    assert unit["kind"] == "dinas"
    assert "Diskominfo Staper" in unit["aliases"]
    assert unit["version"] == 1


def test_created_unit_can_be_read_back(api: Client, units_loaded: Session) -> None:
    body = {
        "code": "DISPAR-2",
        "name": "  Dinas Pariwisata Baru ",
        "kind": "dinas",
        "aliases": ["Dispar   Baru", "Dinas Pariwisata Kutim Baru"],
    }
    response = api.post(UNITS, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "Dinas Pariwisata Baru"
    # spaces inside an alias are normalised, as LAPOR! exports are matched on them
    assert sorted(created["aliases"]) == ["Dinas Pariwisata Kutim Baru", "Dispar Baru"]
    assert created["version"] == 1
    assert api.get(f"{UNITS}/DISPAR-2").json() == created
    assert len(api.get(UNITS).json()) == 66


def test_duplicate_code_is_a_conflict_and_changes_nothing(
    api: Client, units_loaded: Session, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    response = api.post(UNITS, json={"code": "BAPPEDA", "name": "Lain", "kind": "badan"})
    body = assert_error(response, 409, field="code")
    assert "BAPPEDA" in body["detail"]
    assert dump_database(engine) == before


def test_alias_of_another_unit_is_refused_everywhere(
    api: Client, units_loaded: Session, engine: sa.Engine
) -> None:
    """An alias maps to exactly one unit, whatever its case or spacing."""
    before = dump_database(engine)
    taken = "  setda   KUTIM "  # 'Setda Kutim' belongs to SETDA

    create = api.post(
        UNITS, json={"code": "BARU", "name": "Unit Baru", "kind": "dinas", "aliases": [taken]}
    )
    error = field_error(assert_error(create, (409, 422), field="aliases"), "aliases")
    assert "SETDA" in error["message"]

    patch = api.patch(
        f"{UNITS}/DISKOMINFO",
        json={"aliases": ["Diskominfo Staper", taken]},
        headers=current(api, f"{UNITS}/DISKOMINFO"),
    )
    assert (
        "SETDA"
        in field_error(assert_error(patch, (409, 422), field="aliases"), "aliases")["message"]
    )

    add = api.post(f"{UNITS}/DISKOMINFO/aliases", json={"alias": taken})
    assert "SETDA" in field_error(assert_error(add, (409, 422), field="alias"), "alias")["message"]

    assert dump_database(engine) == before


def test_a_code_name_or_alias_names_one_unit_only(
    api: Client, units_loaded: Session, engine: sa.Engine
) -> None:
    """Complaints find their unit by code, name or alias: a second unit named like the first
    silently took over its complaints. Every such text is refused wherever it is entered."""
    before = dump_database(engine)
    dinkes, pupr = f"{UNITS}/DINKES", f"{UNITS}/PUPR"
    pupr_name = api.get(pupr).json()["name"]
    attempts = [
        (
            api.post(
                UNITS, json={"code": "DINKES2", "name": " dinas  KESEHATAN ", "kind": "dinas"}
            ),
            "name",
            "DINKES",
        ),
        (
            api.post(UNITS, json={"code": "dinkes", "name": "Unit Baru", "kind": "dinas"}),
            "code",
            "DINKES",
        ),
        (api.post(UNITS, json={"code": "BARU", "name": "pupr", "kind": "dinas"}), "name", "PUPR"),
        (
            api.patch(dinkes, json={"aliases": [pupr_name]}, headers=current(api, dinkes)),
            "aliases",
            "PUPR",
        ),
        (api.patch(dinkes, json={"name": pupr_name}, headers=current(api, dinkes)), "name", "PUPR"),
        (api.post(f"{dinkes}/aliases", json={"alias": "PUPR"}), "alias", "PUPR"),
    ]
    for response, field, owner in attempts:
        error = field_error(assert_error(response, 409, field=field), field)
        assert error["message"].endswith(f"sudah dipakai PD {owner}"), error
    assert dump_database(engine) == before
    # its own name, code or alias is no clash
    own = api.patch(
        dinkes, json={"aliases": ["Dinas Kesehatan", "dinkes"]}, headers=current(api, dinkes)
    )
    assert own.status_code == 200, own.text


def test_patch_changes_only_the_fields_sent(api: Client, units_loaded: Session) -> None:
    original = api.get(f"{UNITS}/DISHUB").json()

    renamed = api.patch(
        f"{UNITS}/DISHUB",
        json={"name": "Dinas Perhubungan Kutai Timur"},
        headers=current(api, f"{UNITS}/DISHUB"),
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {
        **original,
        "name": "Dinas Perhubungan Kutai Timur",
        "version": original["version"] + 1,
    }

    rekinded = api.patch(
        f"{UNITS}/DISHUB", json={"kind": "kantor"}, headers=current(api, f"{UNITS}/DISHUB")
    ).json()
    assert rekinded["name"] == "Dinas Perhubungan Kutai Timur"
    assert rekinded["kind"] == "kantor"
    assert sorted(rekinded["aliases"]) == sorted(original["aliases"])
    assert rekinded["version"] == original["version"] + 2

    realiased = api.patch(
        f"{UNITS}/DISHUB",
        json={"aliases": ["Dishub Kutim"]},
        headers=current(api, f"{UNITS}/DISHUB"),
    ).json()
    assert realiased["aliases"] == ["Dishub Kutim"]
    assert realiased["kind"] == "kantor"
    assert api.get(f"{UNITS}/DISHUB").json() == realiased


def test_patch_that_changes_nothing_keeps_the_version(api: Client, units_loaded: Session) -> None:
    original = api.get(f"{UNITS}/DISKOMINFO").json()
    same = {
        "name": original["name"],
        "kind": original["kind"],
        "aliases": list(reversed(original["aliases"])),  # order carries no meaning
    }
    response = api.patch(
        f"{UNITS}/DISKOMINFO", json=same, headers=current(api, f"{UNITS}/DISKOMINFO")
    )
    assert response.status_code == 200
    assert response.json()["version"] == original["version"]
    assert (
        api.patch(
            f"{UNITS}/DISKOMINFO", json={}, headers=current(api, f"{UNITS}/DISKOMINFO")
        ).json()["version"]
        == original["version"]
    )


def test_add_alias_once(api: Client, units_loaded: Session) -> None:
    response = api.post(f"{UNITS}/DISKOMINFO/aliases", json={"alias": "Dinas Kominfo Kab. Kutim"})
    assert response.status_code == 201, response.text
    unit = response.json()
    assert "Dinas Kominfo Kab. Kutim" in unit["aliases"]
    assert unit["version"] == 2
    # the same name again, differently typed, is not a second alias
    again = api.post(f"{UNITS}/DISKOMINFO/aliases", json={"alias": "dinas kominfo  KAB. KUTIM"})
    assert again.status_code == 201
    assert sorted(again.json()["aliases"]) == sorted(unit["aliases"])
    assert again.json()["version"] == 2


def test_unknown_code_is_not_found(shared_demo: Shared) -> None:
    api = shared_demo.client
    for response in (
        api.get(f"{UNITS}/DINAS-ANTAH"),
        api.patch(
            f"{UNITS}/DINAS-ANTAH", json={"name": "x"}, headers=current(api, f"{UNITS}/DINAS-ANTAH")
        ),
        api.post(f"{UNITS}/DINAS-ANTAH/aliases", json={"alias": "x"}),
    ):
        body = assert_error(response, 404)
        assert "DINAS-ANTAH" in body["detail"]
        assert "tidak ditemukan" in body["detail"]


def test_unknown_field_in_body_is_a_bad_request(
    api: Client, units_loaded: Session, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    create = api.post(
        UNITS, json={"code": "BARU", "name": "Unit Baru", "kind": "dinas", "kepala": "Budi"}
    )
    assert assert_error(create, 400)["errors"]
    patch = api.patch(
        f"{UNITS}/DISKOMINFO",
        json={"nama": "Diskominfo"},
        headers=current(api, f"{UNITS}/DISKOMINFO"),
    )
    assert assert_error(patch, 400)["errors"]
    alias = api.post(f"{UNITS}/DISKOMINFO/aliases", json={"alias": "x", "extra": 1})
    assert_error(alias, 400)
    assert dump_database(engine) == before


def test_bad_values_are_refused_before_anything_is_written(
    api: Client, units_loaded: Session, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    bad_bodies = [
        {"code": "BARU", "name": "Unit", "kind": "planet"},  # unknown kind
        {"code": "BARU KODE", "name": "Unit", "kind": "dinas"},  # space in a code
        {"code": "BARU", "name": "   ", "kind": "dinas"},  # a name of spaces is no name
        {"code": "BARU", "name": "x" * 201, "kind": "dinas"},
        {"code": "BARU", "name": "Unit", "kind": "dinas", "aliases": [" "]},
        {"code": "BARU", "name": "Unit"},  # kind missing
    ]
    for body in bad_bodies:
        assert_error(api.post(UNITS, json=body), 400)
    assert_error(
        api.patch(
            f"{UNITS}/DISKOMINFO", json={"name": " "}, headers=current(api, f"{UNITS}/DISKOMINFO")
        ),
        400,
    )
    assert_error(
        api.patch(
            f"{UNITS}/DISKOMINFO", json={"name": None}, headers=current(api, f"{UNITS}/DISKOMINFO")
        ),
        400,
    )
    assert_error(api.post(f"{UNITS}/DISKOMINFO/aliases", json={"alias": ""}), 400)
    assert dump_database(engine) == before
