"""Restaurant and cafe tax (pajak restoran): deposit monitoring."""
