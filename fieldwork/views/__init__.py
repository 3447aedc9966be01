"""Field pages under /field/: paper entry and double entry (entry.py), supervisors' progress (supervision.py),
the coordinator's sampling frame (frame.py)."""
