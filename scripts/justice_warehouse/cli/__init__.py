"""The ``justice-warehouse`` command line: its parser (``main.py``) and one handler per
command (``commands.py``).
"""
