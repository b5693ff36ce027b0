"""The mapping layer: declarative profiles compiled into functions ``Record -> triples``."""

from marc2rdf.mapping.compile import Mapper
from marc2rdf.mapping.profile import Profile, load_mappers, profile_path, shipped_profiles
from marc2rdf.mapping.spec import MappingError

__all__ = ["Mapper", "MappingError", "Profile", "load_mappers", "profile_path", "shipped_profiles"]
