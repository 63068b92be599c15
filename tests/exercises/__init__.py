"""Exercise checkers (a package, so that test_chapter02.py here and in tests/ do not collide)."""
