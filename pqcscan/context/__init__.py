"""Business context: the services an institution runs, what they are worth, how long their
data must stay secret, who they connect to, and which inventory assets they use.

- :mod:`.model`: the plain values (``BusinessContext``, ``Service``, ``DataClass``,
  ``MappingRule``);
- :mod:`.load`: YAML and CSV context files, validated with line-numbered problems;
- :mod:`.document`: the stored JSON form and the content hash;
- :mod:`.mapping`: ``map_assets(snapshot, contexts)``, which service uses which asset;
- :mod:`.views`: effective retention and what changed between two versions;
- :mod:`.patterns`, :mod:`.problems`: rule patterns and error reporting.

Storage is :mod:`pqcscan.inventory.context_store`; declared hardware is the ``declared``
collector (:mod:`pqcscan.collectors.declared`). File formats: ``docs/context.md``.
"""
