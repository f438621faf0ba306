"""Placeholder: being written (see flows/sources/base.py for the contract)."""
