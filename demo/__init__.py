"""The demo province: every app's demo data and `seed_demo`, on top of all the apps it builds on."""
