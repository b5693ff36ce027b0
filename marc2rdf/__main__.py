import sys

from marc2rdf.cli import main

sys.exit(main())
