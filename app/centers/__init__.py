"""Test centers, their workstations and accreditation."""
