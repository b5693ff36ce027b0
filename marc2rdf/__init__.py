"""marc2rdf: read MARC in every serialization and publish it as linked data."""

from marc2rdf.readers import FORMATS, read, read_records, write_records
from marc2rdf.readers.base import InputError, Position, Read, Reject

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "InputError",
    "Position",
    "Read",
    "Reject",
    "read",
    "read_records",
    "write_records",
    "__version__",
]
