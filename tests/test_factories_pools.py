"""Factory bodies depend only on the seed: the text pools are shipped data, never sampled at run time.

The golden digests below were taken with the pools sampled from Faker 40.63.0 at runtime (the
behaviour before the pools became data) and are unchanged since; they pin `build_request` for a range
of seeds, so a pool or factory change that alters bodies (and so breaks replay of recorded
factory-built requests, which match on the body) fails here first.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runreplay.factories import _pools_data as data
from runreplay.factories import build_request
from runreplay.factories._text import Pools, pools

ROOT = Path(__file__).resolve().parents[1]

# fmt: off
PLAIN = {
    0: 'ef870c0feb3b325a',
    1: 'e10254ec26425128',
    2: 'd9ba6c40936e9407',
    3: '63695bdec8153405',
    4: '160946cccf9695d8',
    5: 'ea283d964786b097',
    6: '1d68a41981c01973',
    7: '3bc79e9acf4ea9c2',
    8: '002da3e93e2ec826',
    9: 'fb0bcf80e137af0a',
    10: '879a345a5f049439',
    11: '5d90a1614e0e2c57',
    12: 'b43913c1b4ff0bd5',
    13: '5b92abcf0b89d889',
    14: '01e409e34ff4c3ed',
    15: '5c9065a22013da22',
    16: '96076d2161c8fc5e',
    17: '3c19f8369e69240e',
    18: '958e39f52639b8ee',
    19: 'e6ae58dc9344cb05',
    20: 'f923b7f9f1053e59',
    21: '9ef840b7603c37f8',
    22: '0107a5f232d936ed',
    23: '61369a231a9bb057',
    24: '691ed0281d633e88',
    25: 'd59e5f5c485172ab',
    26: 'd3019d39524d18bd',
    27: 'ad4b1dc844436a48',
    28: '54f42398fff05a22',
    29: 'cc972bdec3fade1e',
    30: 'edd8842ce974be74',
    31: 'c65644264f0aa0b8',
    32: '31a9adf9c51ba174',
    33: '156392cc61415ef5',
    34: '831190b9220c9082',
    35: 'bcf61324468651c1',
    36: '3c3293ae9ab3e335',
    37: 'f4a91ca36842b5a5',
    38: '8ad0a1dff24db96a',
    39: 'cea71234413c5581',
}
WITH_TRAITS = {
    40: '6e4a38bd419d8ada',
    41: '5c8b74f2b6b8428a',
    42: 'caa7b0c023070b94',
    43: '1db54d44a203e8d1',
    44: '975602f8fa885d19',
    45: '77f21164f060f213',
    46: 'febdb71e915f43b6',
    47: '1b3d9daf21c77116',
    48: '7f328723d8e3ae75',
    49: '320a773efacb2c88',
}
POOLS = '9314d9da041d418b83f15dfe60bb1a3d12420414f6104fc29bbd52ca4391b541'
# fmt: on


def _digest(seed: int, **traits: Any) -> str:
    body = build_request(seed=seed, **traits).model_dump(mode="json", exclude_unset=True)
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def test_bodies_for_seeds_0_to_39_are_pinned() -> None:
    assert {seed: _digest(seed) for seed in PLAIN} == PLAIN


def test_bodies_with_traits_for_seeds_40_to_49_are_pinned() -> None:
    traits = {"streaming": True, "function_tool": True, "file_search": True}
    assert {seed: _digest(seed, **traits) for seed in WITH_TRAITS} == WITH_TRAITS


def test_the_pools_are_the_shipped_data() -> None:
    shipped = pools()
    assert isinstance(shipped, Pools)
    values = [getattr(shipped, name) for name in Pools.__dataclass_fields__]
    assert hashlib.sha256(json.dumps(values).encode()).hexdigest() == POOLS
    assert shipped.sentences is data.SENTENCES
    assert all(isinstance(pool, tuple) and pool for pool in values)


def test_building_bodies_never_imports_faker() -> None:
    fresh = Path(__file__).resolve().parent / "_helpers" / "fresh_factories.py"
    done = subprocess.run(
        [sys.executable, str(fresh), "imports-faker"], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == "false\n"


def test_regenerating_the_pools_with_the_pinned_faker_changes_nothing() -> None:
    faker_spec = importlib.util.find_spec("faker")
    if faker_spec is None:
        pytest.skip("Faker is not installed (it is only needed to regenerate the pools)")
    import faker

    if faker.VERSION != data.FAKER_VERSION:
        pytest.skip(f"the pools were sampled with Faker {data.FAKER_VERSION}; this is Faker {faker.VERSION}")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "generate_pools.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "pools data is up to date\n"), done.stderr
