"""The operator's guide names every environment variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_in_the_deployment_guide():
    settings_source = (ROOT / "partnerships" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|int|bool|list|float)\(\s*"([A-Z0-9_]+)"', settings_source))
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text()
    assert len(read) > 20
    assert sorted(name for name in read if f"`{name}`" not in guide) == []
