"""The ``pqcscan demo``: realistic fixtures (``builders``, ``tree``) and the end-to-end run
(``runner``). Import :func:`pqcscan.demo.runner.run_demo` where it is needed: the builders
are used by the tests on their own and must not pull in the scanner."""
