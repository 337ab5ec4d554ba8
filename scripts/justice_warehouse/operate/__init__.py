"""Operating a warehouse folder: status, disk space, file modes, retention of failed
candidates, housekeeping.
"""
