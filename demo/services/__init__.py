"""One builder per app's demo data; `seed_demo` calls them in dependency order."""
