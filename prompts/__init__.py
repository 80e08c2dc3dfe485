"""The prompt texts (``*.txt``), a package so that they ship in the wheel and are found with importlib.resources."""
