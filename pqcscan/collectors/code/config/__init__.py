"""Configuration parsers: TLS/SSH settings -> :class:`~..model.CodeHit` values."""
