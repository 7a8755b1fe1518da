"""The demo programme (`seed_demo`, `demo_logins`) and the region and nation data the
benchmarks run on (`seed_scale`). A top-layer app: it writes through every app's services."""
