import os

# Qt tests run headless; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep tests from reading or writing the user's real settings and caches.
os.environ.setdefault("WORKBENCH_TEST", "1")
