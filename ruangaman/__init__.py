"""Ruang Aman."""
