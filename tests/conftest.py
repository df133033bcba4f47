import sys
from pathlib import Path

# The clone's code comes first, whatever else is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
