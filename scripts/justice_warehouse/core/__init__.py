"""What every stage shares: settings, paths, the warehouse folder's files, storage, child
processes, run records.
"""
