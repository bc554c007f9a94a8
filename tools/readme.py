"""Write README.md from nbs/index.ipynb: markdown cells as they are, code cells as Python blocks.

nbdev's own `nbdev_readme` does the same through Quarto; this needs no Quarto, so the test command can check that
README.md is current on any machine.   Usage: python tools/readme.py [--check]
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent


def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = ['<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->']
    for cell in nb['cells']:
        src = ''.join(cell['source']).strip()
        if not src or src.startswith('#| hide'): continue
        parts.append(src if cell['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    text, readme = render(root/'nbs'/'index.ipynb'), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is not current: run python tools/readme.py and commit it")
    else:
        readme.write_text(text)
