"""The code collector (``pqcscan scan code``): dependencies, source code and configuration.

Parsers live in ``deps/`` (manifests, lockfiles, SBOMs), ``source/`` (cryptographic API use)
and ``config/`` (TLS/SSH settings); their results are the plain values of :mod:`.model`.
"""
