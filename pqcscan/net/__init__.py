"""The network front end every network collector uses.

- :mod:`.errors`: failures as data (:class:`NetFailure` with an
  :class:`~pqcscan.results.ErrorKind`), and the mapping from ``OSError``;
- :mod:`.pacing`: the shared connection-rate limiter and :func:`open_connection`;
- :mod:`.reading`: bounded readers (a byte cap and one deadline per exchange) for hostile
  servers, async and blocking;
- :mod:`.sweep`: an asynchronous TCP connect sweep over a stream of endpoints;
- :mod:`.detect`: what speaks on an open port (TLS, SSH, STARTTLS services, HTTP).

Everything here contacts only the endpoints it is given; scope is checked upstream by
:mod:`pqcscan.targets`.
"""
