"""Building the enrichment stage from ``--enrich`` and the configuration.

Settings come, last one winning, from each service module's policy defaults, the ``services:``
section of the configuration file (``--enrich-config``), and for base URLs the environment
variables ``MARC2RDF_<SERVICE>_URL`` (IDLOC, VIAF, WIKIDATA, FAST, MESH, IDREF, ORCID, RECONCILE).
"""

from __future__ import annotations

import dataclasses
import os
import re
import time

from marc2rdf.enrich.cassette import Recorder
from marc2rdf.enrich.fast import FAST
from marc2rdf.enrich.http import Client, Limiter, Settings, open_cache
from marc2rdf.enrich.idloc import LCNames, LCSubjects
from marc2rdf.enrich.idref import IdRef
from marc2rdf.enrich.mesh import MeSH
from marc2rdf.enrich.orcid import ORCID
from marc2rdf.enrich.reconcile import Reconcile
from marc2rdf.enrich.stage import Enricher
from marc2rdf.enrich.viaf import VIAF
from marc2rdf.enrich.wikidata import Wikidata

SERVICES = {cls.name: cls for cls in (LCNames, LCSubjects, VIAF, Wikidata, FAST, MeSH, IdRef, ORCID)}
DEFAULT_SET = ("lcnaf", "lcsh", "viaf", "wikidata", "fast", "mesh", "idref")  # routed by heading, see stage
_TOP_KEYS = {"contact", "language", "cache", "thresholds", "sameas", "services"}
_HOSTS = {"idloc", "viaf", "wikidata", "fast", "mesh", "idref", "orcid", "reconcile"}


class EnrichError(ValueError):
    """A usage error: an unknown service, a bad configuration file."""


def default_cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "marc2rdf", "authorities.sqlite")


def load_config(path: str | None) -> dict:
    if not path:
        return {}
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EnrichError(f"{path}: cannot read the enrichment configuration: {exc}") from None
    if not isinstance(data, dict):
        raise EnrichError(f"{path}: the enrichment configuration must be a mapping")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise EnrichError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_TOP_KEYS))})")
    services = data.get("services") or {}
    fields = {f.name for f in dataclasses.fields(Settings)}
    for host, section in services.items():
        if host not in _HOSTS:
            raise EnrichError(f"{path}: unknown service {host!r} (known: {', '.join(sorted(_HOSTS))})")
        bad = set(section or {}) - fields
        if bad:
            raise EnrichError(f"{path}: services.{host}: unknown setting(s) {', '.join(sorted(bad))}")
    return data


def settings(host: str, defaults: dict, config: dict, url: str | None = None) -> Settings:
    values = dict(defaults)
    values.update((config.get("services") or {}).get(host) or {})
    values["url"] = url or os.environ.get(f"MARC2RDF_{host.upper()}_URL") or values["url"]
    return Settings(**values)


def build_enricher(spec: str | None, *, config_path: str | None = None, cache_path: str | None = None,
                   offline: bool = False, contact: str | None = None, record_dir: str | None = None,
                   review_path: str | None = None, date: str | None = None, progress=None,
                   sleep=time.sleep) -> Enricher:
    """The stage for ``--enrich SPEC``: ``default``, service names and ``reconcile:URL``, comma-separated."""
    config = load_config(config_path)
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise EnrichError(f"--enrich-date {date!r}: expected YYYY-MM-DD")
    names: list[str] = []
    endpoints: list[str] = []
    use_defaults = False
    for item in (x.strip() for x in (spec or "default").split(",")):
        if item in ("", "default"):
            use_defaults = use_defaults or item == "default"
        elif item == "reconcile" or item.startswith("reconcile:"):
            url = item.partition(":")[2] or os.environ.get("MARC2RDF_RECONCILE_URL") \
                or ((config.get("services") or {}).get("reconcile") or {}).get("url")
            if not url:
                raise EnrichError("--enrich reconcile needs an endpoint: reconcile:URL or MARC2RDF_RECONCILE_URL")
            endpoints.append(url)
        elif item in SERVICES:
            names.append(item)
        else:
            raise EnrichError(f"--enrich: unknown service {item!r} (known: default, {', '.join(SERVICES)}, "
                              "reconcile:URL)")
    try:
        cache = None if cache_path == "none" else open_cache(cache_path or config.get("cache") or default_cache_path())
    except Exception as exc:  # an unwritable directory, a file that is not SQLite
        raise EnrichError(f"cannot open the cache: {exc}") from None
    limiter = Limiter(sleep=sleep)
    recorder = Recorder(record_dir) if record_dir else None
    contact = contact or os.environ.get("MARC2RDF_CONTACT") or config.get("contact")
    language = config.get("language") or "en"

    def client(name: str, host: str, defaults: dict, url: str | None = None) -> Client:
        return Client(name, settings(host, defaults, config, url), cache, limiter, offline, contact, recorder,
                      sleep=sleep)

    services = []
    for name in dict.fromkeys((DEFAULT_SET if use_defaults else ()) + tuple(names)):
        cls = SERVICES[name]
        services.append(cls(client(name, cls.host_key, {"url": cls.default_url, **cls.defaults}), language))
    for url in dict.fromkeys(endpoints):
        services.append(Reconcile(client("reconcile", "reconcile", {"url": url, **Reconcile.defaults}, url), language))
    thresholds = config.get("thresholds") or {}
    if set(thresholds) - {"link", "margin", "review"}:
        raise EnrichError("thresholds: only link, margin and review can be set")
    return Enricher(services, explicit=set(names), use_defaults=use_defaults, thresholds=thresholds, date=date,
                    schema_sameas="schema" in (config.get("sameas") or ["owl"]), review_path=review_path,
                    progress=progress)
