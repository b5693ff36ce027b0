import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# compiled rules are kept in a cache folder of the test run's own (its commands inherit it), not
# in the user's: every run starts with an empty cache and leaves nothing behind
_CACHE = tempfile.mkdtemp(prefix="marc2rdf-test-cache-")
os.environ["MARC2RDF_RULE_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
