"""Printing: barcode labels (PDF sheets and rolls, ZPL) and what print formats need."""
