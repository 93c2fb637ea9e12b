"""Source-code detectors: cryptographic API use -> :class:`~..model.CodeHit` values."""
