"""Developer scripts run by hand (benchmarks of the studios, documentation
screenshots): they drive the desktop app like a user, so they sit above the ui
and commands layers and are never imported by the app itself."""
