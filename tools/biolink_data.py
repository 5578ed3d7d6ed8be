"""Extract what the KGX export needs from the Biolink Model into ontology/biolink.json.

The export must not import the Biolink toolkit at run time (it pulls in LinkML and pydantic),
so the few facts it needs are copied from the ``biolink-model`` package: the valid identifier
prefixes of every category the ontology maps to (in Biolink's order of preference), the
registered prefix names, and two enumerations. ``tests/test_kgx.py`` regenerates this and
fails if the file is stale. Run: ``.venv/bin/python tools/biolink_data.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ontology" / "biolink.json"


def toolkit():
    """The Biolink toolkit over the packaged model, offline (no predicate map download)."""
    import biolink_model
    from bmt import Toolkit

    schema = Path(biolink_model.__path__[0]) / "schema" / "biolink_model.yaml"
    return Toolkit(schema=str(schema), predicate_map={"predicate mappings": []})


def biolink_data(tk=None) -> dict:
    import biolink_model
    import rdflib

    tk = tk or toolkit()
    onto = rdflib.Graph().parse(ROOT / "ontology" / "igegraph.ttl")
    annotation = rdflib.URIRef("https://w3id.org/igegraph/vocab#biolinkCategory")
    used = sorted({f"biolink:{str(o).rsplit('/', 1)[1]}" for o in onto.objects(None, annotation)})
    prefix_map = Path(biolink_model.__path__[0]) / "prefixmaps" / "biolink-model-prefix-map.json"
    enum = tk.view.get_enum
    return {
        "biolink_version": tk.get_model_version(),
        "id_prefixes": {c: list(dict.fromkeys(tk.get_element(c).id_prefixes or []))
                        for c in used if tk.is_category(c)},
        "prefixes": sorted(json.loads(prefix_map.read_text())),
        "object_aspects": list(enum("GeneOrGeneProductOrChemicalEntityAspectEnum").permissible_values),
        "research_phases": list(enum("ResearchPhaseEnum").permissible_values),
    }


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(biolink_data()))
    sys.stdout.write(f"wrote {OUT.relative_to(ROOT)}\n")
