"""Lägesbild: a shared situational picture for a municipal violence-prevention center."""
