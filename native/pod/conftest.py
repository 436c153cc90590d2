# Lets tests import the pod modules (protocol.py, …) the way the worker does on the pod:
# from the folder itself, not as a package.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
