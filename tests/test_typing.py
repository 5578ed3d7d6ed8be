"""The public API is visible to type checkers: mypy checks a small user script against it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from igegraph.persist import private_dir, write_private

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("mypy")  # after tests/test_hygiene.py, whose mypy cache it reuses

SCRIPT = '''
import igegraph

kg = igegraph.load()
result = kg.query("SELECT ?d WHERE { ?d a ige:Drug }")
names: list[str] = result.vars
for row in result:
    print(row)
reveal_type(igegraph.load)
reveal_type(result)
text: str = result.serialize(format="csv")
'''


def test_mypy_sees_the_api(mypy_cache):
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    # one path for every session: mypy reports a cached module's messages under the path it was
    # cached from. Written atomically, as another checkout's session may be reading it.
    folder = mypy_cache / "script"
    assert private_dir(folder)
    user = folder / "user.py"
    write_private(user, SCRIPT.encode())
    # run as tests/test_hygiene.py runs mypy (the project's settings, from the checkout), so that
    # src/ and its libraries come from the cache that test filled, not analysed again
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(mypy_cache), str(user)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=False)
    lines = out.stdout.splitlines()
    # mypy names a file under its working directory (a cache folder in the checkout) relatively
    user = user.resolve()
    user = user.relative_to(ROOT) if user.is_relative_to(ROOT) else user
    assert f'{user}:9: note: Revealed type is "def (data: typing.Iterable[str | pathlib.Path] =, *, backend: ' \
           'str | igegraph.backends.Backend =, location: str | pathlib.Path | None =, curated: bool =, ' \
           'allow_vocabulary_changes: bool =, lenient: bool =, **options: Any) -> igegraph.kg.KnowledgeGraph"' in lines
    assert f'{user}:10: note: Revealed type is "igegraph.results.QueryResult"' in lines
    # serialize returns bytes, as rdflib's Result.serialize does: the one error mypy must find
    assert [line for line in lines if ": error:" in line] == [
        f'{user}:11: error: Incompatible types in assignment (expression has type "bytes | None", variable has '
        'type "str")  [assignment]']
