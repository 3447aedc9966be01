"""Export and import of a whole campaign as one versioned file (export.py, import_.py; format in parts.py)."""
