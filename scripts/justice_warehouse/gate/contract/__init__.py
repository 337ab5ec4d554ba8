"""The extract contract: its types (``model.py``), its tables (``tables.py``) and its
Markdown page (``render.py``).
"""
