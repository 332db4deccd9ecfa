"""The taxonomy files a coordinator edits: validated with clear messages, and shown in the app."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import config
from lagesbild.domain.taxonomy import load_taxonomy
from lagesbild.errors import TaxonomyError

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def taxonomy_dir(tmp_path):
    target = tmp_path / "taxonomy"
    shutil.copytree(config.TAXONOMY_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_taxonomy_is_valid():
    t = load_taxonomy(config.TAXONOMY_DIR)
    assert len(t.categories) == 29
    assert t.canonical("polis", "Misshandel, grov") == "grov_misshandel"
    assert t.canonical("polis", "  sammanfattning   NATT ") == "-"
    assert t.canonical("polis", "Okänd typ") is None
    persons = {c.code for c in t.categories if c.is_person_related}
    assert {"vald_nara_relation", "orosanmalan_barn", "krankning_skola", "sexualbrott"} <= persons
    assert "klotter" not in persons


@pytest.mark.parametrize("file,old,new,message", [
    ("categories.csv", "misshandel,Misshandel,våldsförebyggande", "misshandel,Misshandel,våldsförebygande",
     "categories.csv, rad 7, kolumn 'strategic_area': okänt strategiskt område"),
    ("categories.csv", ",barn och unga,1,person", ",barn o unga,1,person",
     "categories.csv, rad 2, kolumn 'focus_areas': okänt fokusområde 'barn o unga'"),
    ("categories.csv", "Grovt våld,våldsförebyggande,,5,person", "Grovt våld,våldsförebyggande,,7,person",
     "categories.csv, rad 10, kolumn 'pyramid_level': nivån i våldspyramiden ska vara 1–5 eller tom"),
    ("categories.csv", "Klotter,trygghetsskapande,,,plats", "Klotter,trygghetsskapande,,,platsbunden",
     "categories.csv, rad 16, kolumn 'sensitivity': ska vara 'person' eller 'plats'"),
    ("source_categories.csv", "polis,Misshandel,misshandel", "polis,Misshandel,misshandle",
     "source_categories.csv, rad 2, kolumn 'category_code': koden finns inte i categories.csv"),
    ("categories.csv", "code,name,strategic_area", "kod,name,strategic_area",
     "categories.csv, rad 1, kolumn 'code': kolumnen saknas i rubrikraden"),
])
def test_a_broken_taxonomy_says_which_file_row_and_column(taxonomy_dir, file, old, new, message):
    _edit(taxonomy_dir / file, old, new)
    with pytest.raises(TaxonomyError) as exc:
        load_taxonomy(taxonomy_dir)
    assert message in str(exc.value)


def test_the_app_shows_taxonomy_problems_instead_of_a_traceback(taxonomy_dir, tmp_path, monkeypatch):
    _edit(taxonomy_dir / "categories.csv", "Klotter,trygghetsskapande,,,plats", "Klotter,trygghetsskapande,,,x")
    monkeypatch.setattr(config, "TAXONOMY_DIR", taxonomy_dir)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'broken.db'}")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert "konfigurationsfilerna" in at.error[0].value
    assert any("categories.csv, rad 16, kolumn 'sensitivity'" in m.value for m in at.markdown)
