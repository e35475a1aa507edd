"""Ministries and ministerial-level agencies that own business regulations."""
