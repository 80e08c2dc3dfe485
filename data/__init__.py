"""The bundled corpus (``abstracts.txt``), a package so that it ships in the wheel and is found with importlib.resources.

In a wheel it sits beside ``app/`` as in a checkout, so a bundled file is recorded as ``data/abstracts.txt`` in both.
"""
